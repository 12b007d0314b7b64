/** One user's data in the memory store: records, log, remembered mutations, cached orders. */
import { compareConversations, totalUnreadOf, type Conversation } from '../../../protocol/index.js';
import { VersionLog } from '../../version-log.js';
import { MutationMemory } from './mutation-memory.js';

/** Ascending string order (the order of IDs everywhere). */
export function cmpID(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A user's records, version log and remembered mutation IDs. */
export class UserData {
  recs = new Map<string, Conversation>();
  log: VersionLog | null = null;
  /** remembered mutation IDs and clients */
  readonly memo = new MutationMemory();
  private sortedIDs: string[] | null = null;
  private ordered: { list: Conversation[]; unreadTotal: number } | null = null;

  getLog(): VersionLog {
    this.log ??= new VersionLog();
    return this.log;
  }

  idsAscending(): string[] {
    this.sortedIDs ??= [...this.recs.keys()].sort(cmpID);
    return this.sortedIDs;
  }

  inOrder(): { list: Conversation[]; unreadTotal: number } {
    if (!this.ordered) {
      const list = [...this.recs.values()].sort(compareConversations);
      this.ordered = { list, unreadTotal: totalUnreadOf(list) };
    }
    return this.ordered;
  }

  changed(idSetChanged: boolean): void {
    this.ordered = null;
    if (idSetChanged) this.sortedIDs = null;
  }
}
