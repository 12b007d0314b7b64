/**
 * The types of `watchPage` as the demo names them. The package entry does not export
 * `LiveWindow` and `PageView` by name, so they are derived from `ConversationSync`.
 */
import type { ObservedValueOf } from 'rxjs';
import type { ConversationSync } from '../../src/index.js';

export type LiveWindow = ReturnType<ConversationSync['watchPage']>;
/** `{ items, total, unreadTotal }`: the first rows and the whole list's totals. */
export type PageView = ObservedValueOf<LiveWindow>;
