/**
 * The write API (SPEC §5.1, docs/client.md "Offline writes"): each call is checked, queued
 * with a fresh mutation ID and shown at once; it resolves with that ID and a promise that
 * the server's answer settles, here or in whichever tab sends it.
 */
import { ConvSyncError, type Cursor } from '../../protocol/index.js';
import { newMutationID } from '../../storage/outbox.js';
import type { ConversationSettings, NewWrite, OutboxEntry } from '../../storage/types.js';
import type { Settled } from '../kernel/commit.js';

/** What a write call resolves with, once the change is applied locally and persisted. */
export interface WriteResult {
  mutationID: string;
  /**
   * Resolves with the log version the server's change produced (or its head when nothing
   * changed); rejects with a `ConvSyncError` when the server refused the write for good (it
   * was rolled back), or with `STOPPED` when the client stopped first (the write stays
   * queued and is sent after the next start).
   */
  acknowledged: Promise<Cursor>;
}

export interface Writes {
  setConversation(conversationID: string, settings: ConversationSettings): Promise<WriteResult>;
  markAsRead(conversationID: string, hasReadSeq?: number): Promise<WriteResult>;
  deleteConversation(conversationID: string): Promise<WriteResult>;
  /** The server's answers, from this tab's sender or another's. */
  settled(list: readonly Settled[]): void;
  /** The client stopped: the calls still waiting are told so. */
  stopped(): void;
}

const invalid = (msg: string): ConvSyncError => new ConvSyncError('INVALID_ARGUMENT', msg);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The checks of each settings field (SPEC §1.1). */
const FIELDS: Record<keyof ConversationSettings, (v: unknown) => boolean> = {
  isPinned: (v) => typeof v === 'boolean',
  recvMsgOpt: (v) => v === 0 || v === 1 || v === 2,
  isPrivateChat: (v) => typeof v === 'boolean',
  burnDuration: isCount,
  attachedInfo: (v) => typeof v === 'string',
  ex: (v) => typeof v === 'string',
};

function settingsOf(s: unknown): ConversationSettings {
  if (typeof s !== 'object' || s === null) throw invalid('settings must be an object');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (v === undefined) continue;
    const ok = Object.hasOwn(FIELDS, k) ? FIELDS[k as keyof ConversationSettings](v) : null;
    if (ok === null) throw invalid(`unknown setting ${k}`);
    if (!ok) throw invalid(`bad value for ${k}`);
    out[k] = v;
  }
  if (Object.keys(out).length === 0) throw invalid('no setting to change');
  return out as ConversationSettings;
}

export function createWrites(enqueue: (w: NewWrite, mutationID: string) => Promise<OutboxEntry | null>, send: () => void): Writes {
  const waiting = new Map<string, { resolve(c: Cursor): void; reject(e: unknown): void }>();

  async function write(w: NewWrite): Promise<WriteResult> {
    if (typeof w.conversationID !== 'string' || w.conversationID === '') throw invalid('a conversationID is required');
    const mutationID = newMutationID();
    const acknowledged = new Promise<Cursor>((resolve, reject) => waiting.set(mutationID, { resolve, reject }));
    acknowledged.catch(() => {}); // an app may ignore it; it still sees the roll-back on changes$
    try {
      if (!(await enqueue(w, mutationID))) throw invalid(`conversation ${w.conversationID} is not in the list`);
    } catch (e) {
      waiting.delete(mutationID);
      throw e;
    }
    send();
    return { mutationID, acknowledged };
  }

  return {
    setConversation: async (id, settings) => write({ kind: 'set', conversationID: id, settings: settingsOf(settings) }),
    markAsRead: async (id, hasReadSeq) => {
      if (hasReadSeq !== undefined && !isCount(hasReadSeq)) throw invalid('hasReadSeq must be a non-negative integer');
      return write({ kind: 'read', conversationID: id, ...(hasReadSeq === undefined ? {} : { hasReadSeq }) });
    },
    deleteConversation: async (id) => write({ kind: 'delete', conversationID: id }),
    settled(list) {
      for (const s of list) {
        for (const id of s.mutationIDs) {
          const w = waiting.get(id);
          if (!w) continue;
          waiting.delete(id);
          if (s.ack) w.resolve(s.ack);
          else w.reject(new ConvSyncError(s.error?.code ?? 'SERVER', s.error?.message ?? 'refused', s.error?.errCode === undefined ? {} : { errCode: s.error.errCode }));
        }
      }
    },
    stopped() {
      for (const w of waiting.values()) w.reject(new ConvSyncError('STOPPED', 'the client stopped before the server answered; the write stays queued'));
      waiting.clear();
    },
  };
}
