/**
 * What happens on the server side of a model test, to one user's list: a message from the
 * conversation's peer, a pin from another device, a log reset. A refused call (the
 * conversation is gone) is part of the schedule, not a failure.
 */
import { peerOf } from '../../src/protocol/index.js';
import type { TestServer } from '../helpers/server.js';

export function serverActs(s: TestServer, userID: string) {
  return {
    message: (id: string): Promise<unknown> => s.admin('/admin/send_message', { conversationID: id, sendID: peerOf(id, userID) ?? 'u2', text: 'hi' }),
    pin: (id: string, on: boolean): Promise<unknown> =>
      s.call(userID, '/conversation/set_conversations', { userID, conversation: { conversationID: id, isPinned: on } }).catch(() => undefined),
    resetLog: (): Promise<unknown> => s.admin('/admin/reset_log', { userID }),
  };
}
