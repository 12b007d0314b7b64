/**
 * The feed of a store that lives in one process (the memory store): announced frames go to
 * the subscribers at once, synchronously, so they leave in commit order.
 */
import type { ServerFrame } from '../../../protocol/index.js';
import type { ConversationFeed, Unsubscribe } from '../../ports.js';

/** Subscribers of one process; `emit` hands them a user's frames in order. */
export class LocalFeed implements ConversationFeed {
  private readonly listeners = new Set<(userID: string, frame: ServerFrame) => void>();

  subscribe(deliver: (userID: string, frame: ServerFrame) => void): Unsubscribe {
    const l = (userID: string, frame: ServerFrame) => deliver(userID, frame);
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }

  /** Every frame is delivered to every subscriber: nothing to prepare. */
  async follow(): Promise<void> {}

  unfollow(): void {}

  /** Hands the frames of one commit to every subscriber, in order. */
  emit(userID: string, frames: readonly ServerFrame[]): void {
    for (const f of frames) for (const l of this.listeners) l(userID, f);
  }
}
