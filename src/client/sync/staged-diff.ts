/**
 * The diff a full sync reports at its swap, kept beside the staging (not in the replica).
 * While a snapshot is staged it keeps the staged pages' diff — but only when someone
 * reads it (`changes$`); otherwise it keeps nothing and the swap says `reload`, so a large
 * snapshot is never held in memory. Conversations that local writes touched meanwhile
 * (drafts, reads, queued writes) are read again right after the swap, so the swap reports
 * what storage holds.
 */
import type { LocalConversation } from '../../protocol/index.js';
import type { LocalDiff, StorageAdapter } from '../../storage/types.js';

export interface StagedDiff {
  /** The diff of one staged page against the live list. */
  page(d: Pick<LocalDiff, 'added' | 'updated'>): void;
  /** A local write touched `id` while staging. */
  touch(id: string): void;
  /** The swap's commit, built inside the write queue right after the swap; `resumed`: pages staged before this run are missing. */
  swap(removed: string[], storage: StorageAdapter, resumed: boolean): Promise<{ kind: 'change' | 'reload'; diff: LocalDiff }>;
}

export function stagedDiff(keep: boolean): StagedDiff {
  const staged = new Map<string, [LocalConversation, 'added' | 'updated']>();
  const touched = new Set<string>();
  return {
    page(d) {
      if (!keep) return;
      for (const r of d.added) staged.set(r.conversationID, [r, 'added']);
      for (const r of d.updated) staged.set(r.conversationID, [r, 'updated']);
    },
    touch(id) {
      if (keep) touched.add(id);
    },
    async swap(removed, storage, resumed) {
      // nobody reads the diff: what shows the list reads it again (O(window), not O(N))
      if (!keep) return { kind: 'reload', diff: { added: [], updated: [], removed } };
      const diff: LocalDiff = { added: [], updated: [], removed };
      for (const [r, kind] of staged.values()) if (!touched.has(r.conversationID)) diff[kind].push(r);
      // what local writes changed while staging: as storage holds it now
      const ids = [...touched];
      const now = await storage.getMany(ids);
      ids.forEach((id, i) => {
        const r = now[i];
        if (r) (staged.get(id)?.[1] === 'added' ? diff.added : diff.updated).push(r);
        else if (!removed.includes(id)) diff.removed.push(id);
      });
      return { kind: resumed ? 'reload' : 'change', diff };
    },
  };
}
