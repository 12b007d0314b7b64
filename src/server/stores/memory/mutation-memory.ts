/** What the memory store remembers of one user's mutations: legacy mutation IDs and clients. */
import type { Cursor } from '../../../protocol/index.js';
import { alive, conflict, judge, refusalError, refusalOf, isRefusal, type ClientState, type MutationKey } from '../../mutation.js';
import { MUTATIONS_REMEMBERED } from '../../ports.js';

/** A remembered legacy mutation ID. */
export interface RememberedID {
  answer: Cursor;
  /** the content hash, `null` when the write came without one */
  hash: string | null;
}

/** One user's mutation memory (see `ConversationWrites.commit`). */
export class MutationMemory {
  /** mutation ID → its first answer, oldest first (a Map keeps insertion order) */
  readonly ids = new Map<string, RememberedID>();
  /** clientID → what is known of it */
  readonly clients = new Map<string, ClientState>();

  /**
   * Before applying: the answer of a repeat (`head` when it answers the current head), or
   * `null` when the mutation is to be applied. Throws 1409/1410 and remembered refusals.
   */
  repeatAnswer(key: MutationKey, head: Cursor): Cursor | null {
    if ('mutationID' in key) {
      const first = this.ids.get(key.mutationID);
      if (!first) return null;
      if (key.hash !== null && first.hash !== null && key.hash !== first.hash) throw conflict(`mutationID ${key.mutationID}`);
      return first.answer;
    }
    for (const [id, c] of this.clients) if (id !== key.clientID && !alive(c, key)) this.clients.delete(id);
    const state = alive(this.clients.get(key.clientID), key);
    if (!state) this.clients.delete(key.clientID);
    const j = judge(state, key);
    if (j.kind === 'apply') return null;
    state!.seenAt = key.now;
    if (j.answer === null) return head;
    if (isRefusal(j.answer)) throw refusalError(j.answer);
    return j.answer;
  }

  /** An edit threw `e`: a client remembers a refusal as its last number. */
  refused(key: MutationKey | undefined, e: unknown): void {
    const r = refusalOf(e);
    if (r && key && 'clientID' in key) this.clients.set(key.clientID, { last: key.number, hash: key.hash, answer: r, seenAt: key.now });
  }

  /** Applied with `answer`; past the limit the oldest mutation ID is forgotten. */
  applied(key: MutationKey, answer: Cursor): void {
    if ('clientID' in key) {
      this.clients.set(key.clientID, { last: key.number, hash: key.hash, answer, seenAt: key.now });
      return;
    }
    this.ids.set(key.mutationID, { answer, hash: key.hash });
    if (this.ids.size > MUTATIONS_REMEMBERED) this.ids.delete(this.ids.keys().next().value!);
  }
}
