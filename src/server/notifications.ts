/**
 * The notification policy (SPEC §4) in one place: from what a write did to the frames to
 * send, as a pure function. Every write path of the service goes through `framesFor`
 * (through `framesTo`, which keeps the frames of one recipient: a commit announces only
 * to its own user, so the store can record them under that user's lock).
 */
import type { ChangedFrame, ServerFrame } from '../protocol/index.js';
import type { CommitResult } from './ports.js';
import type { LogHead } from './version-log.js';

/** A change that touches at most this many records carries its `delta`. */
export const DELTA_MAX = 100;
/** A change that touches more IDs than this sends `conversationIDs: []` (the client syncs). */
export const CHANGED_IDS_MAX = 1000;

/** Where frames go: every open socket of a user. Returns how many sockets got the frame. */
export interface Notifier {
  send(userID: string, frame: ServerFrame): number;
}

/** What a write did, as far as notifications care. */
export type WriteEffect =
  /** records of `userID` changed: `conversation.changed` */
  | { kind: 'changed'; userID: string; change: CommitResult }
  /** a read position of `userID` rose (the change's one update): `conversation.unread` only */
  | { kind: 'read'; userID: string; change: CommitResult }
  /** the log of `userID` was dropped: `conversation.changed` with the new identity */
  | { kind: 'reset'; userID: string; head: LogHead }
  /** a single chat turned private or back: `conversation.private` to both parties */
  | { kind: 'private'; sendID: string; recvID: string; conversationID: string; isPrivate: boolean };

/** A frame and its recipient. */
export interface Outgoing {
  to: string;
  frame: ServerFrame;
}

/** The `conversation.changed` frame of a commit: the delta when small, the IDs unless huge. */
export function changedFrame(userID: string, r: CommitResult): ChangedFrame {
  const n = r.insert.length + r.update.length + r.delete.length;
  const ids = n > CHANGED_IDS_MAX ? [] : [...r.insert.map((c) => c.conversationID), ...r.update.map((c) => c.conversationID), ...r.delete];
  const frame: ChangedFrame = { type: 'conversation.changed', userID, conversationIDs: ids, versionID: r.id, version: r.version };
  if (n <= DELTA_MAX) frame.delta = { delete: r.delete, insert: r.insert, update: r.update };
  return frame;
}

function framesOf(e: WriteEffect, now: number): Outgoing[] {
  switch (e.kind) {
    case 'changed':
      return [{ to: e.userID, frame: changedFrame(e.userID, e.change) }];
    case 'read': {
      const c = e.change.update[0];
      if (!c) return [];
      const frame: ServerFrame = {
        type: 'conversation.unread',
        userID: e.userID,
        conversationID: c.conversationID,
        hasReadSeq: c.hasReadSeq,
        unreadCountTime: now,
        versionID: e.change.id,
        version: e.change.version,
      };
      return [{ to: e.userID, frame }];
    }
    case 'reset': {
      // a changed frame with the new identity: every connected client re-syncs (in full)
      const frame: ServerFrame = { type: 'conversation.changed', userID: e.userID, conversationIDs: [], versionID: e.head.id, version: e.head.version };
      return [{ to: e.userID, frame }];
    }
    case 'private': {
      const frame: ServerFrame = { type: 'conversation.private', sendID: e.sendID, recvID: e.recvID, conversationID: e.conversationID, isPrivate: e.isPrivate };
      return [
        { to: e.sendID, frame },
        { to: e.recvID, frame },
      ];
    }
  }
}

/** The frames to send, in order, for what one write did (`now`: the time stamped on unread frames). */
export function framesFor(effects: readonly WriteEffect[], now: number): Outgoing[] {
  return effects.flatMap((e) => framesOf(e, now));
}

/** The frames of `effects` that go to `userID`, in order. */
export function framesTo(userID: string, effects: readonly WriteEffect[], now: number): ServerFrame[] {
  return framesFor(effects, now)
    .filter((o) => o.to === userID)
    .map((o) => o.frame);
}
