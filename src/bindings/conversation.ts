/**
 * The conversation store: one record kept live. The client has no per-ID observable, so
 * the store reads the record with `sync.get(id)` and then takes it from `changes$` (whose
 * records are complete). A read that a change overtook is dropped. It reads again when
 * the client starts (a read before that fails with STOPPED) and after each full sync (a
 * resumed one may report an incomplete diff).
 */
import type { ConversationSync, LocalConversation } from '../index.js';
import { settleRecord } from './same.js';
import { liveStore, type Store } from './store.js';

export function conversationStore(sync: ConversationSync, id: string): Store<LocalConversation | undefined> {
  return liveStore<LocalConversation | undefined>(undefined, (put, get) => {
    let live = true;
    /** bumped by every change of this ID: a read started before it is stale */
    let seq = 0;
    /** no read has succeeded since subscribing (or since the client stopped) */
    let unread = true;
    let lastFull: number | undefined;
    const set = (rec: LocalConversation | undefined): void => put(settleRecord(get(), rec));
    /** a read is under way; a status asked for one while it was */
    let reading = false;
    let again = false;
    const load = (): void => {
      if (reading) return void (again = true);
      reading = true;
      const s = ++seq;
      sync.get(id).then(
        (rec) => {
          const more = again;
          reading = again = false;
          if (!live) return;
          if (s === seq) {
            unread = false;
            set(rec);
          }
          if (more) load(); // a full sync may have ended after this read began
        },
        () => {
          reading = false;
          // not started yet (or stopping): read again if the status moved meanwhile, else at the next one
          if (live && again && unread) load();
          again = false;
        },
      );
    };
    const changes = sync.changes$.subscribe((c) => {
      const rec = c.added.find((r) => r.conversationID === id) ?? c.updated.find((r) => r.conversationID === id);
      if (!rec && !c.removed.includes(id)) return;
      // records on changes$ are complete: this is the record now, whatever a read in flight finds
      seq++;
      unread = false;
      set(rec);
    });
    const status = sync.status$.subscribe((s) => {
      if (s.state === 'stopped') {
        unread = true;
        // another tab logged out: the database is gone
        if (s.error?.code === 'DB_DELETED') set(undefined);
        return;
      }
      const full = s.lastMode === 'full' ? s.lastSyncAt : lastFull;
      if (unread || full !== lastFull) load();
      lastFull = full;
    });
    return () => {
      live = false;
      changes.unsubscribe();
      status.unsubscribe();
    };
  });
}
