/**
 * Compile-only (checked by `npm run typecheck`): the hooks have exactly the signatures
 * the README's React section shows. The block between the markers is copied verbatim
 * in the README (test/react/readme.test.ts checks that).
 */
import { expectTypeOf } from 'vitest';
import type { ConversationSync, LocalConversation, PendingWrite, SyncStatus } from '../../src/index.js';
import * as real from '../../src/react/index.js';

// README hooks: begin
declare function useConversationPage(
  sync: ConversationSync,
  options?: { limit?: number }, // rows in the window, default 20; a new value resizes it
): {
  items: readonly LocalConversation[]; // the first `limit` rows, in list order
  total: number; // conversations in the whole list
  unreadTotal: number; // the unread sum of the whole list
  loading: boolean; // no page yet (also on the server)
  hasMore: boolean; // items.length < total
  error: unknown; // the window failed (a storage error); undefined otherwise
  setLimit(limit: number): void; // grow (or shrink) the window: infinite scroll
};
declare function useConversation(sync: ConversationSync, conversationID: string): LocalConversation | undefined;
declare function useTotalUnread(sync: ConversationSync): number;
declare function useSyncStatus(sync: ConversationSync): SyncStatus;
declare function usePendingWrites(sync: ConversationSync): PendingWrite[];
// README hooks: end

expectTypeOf(real.useConversationPage).toEqualTypeOf(useConversationPage);
expectTypeOf(real.useConversation).toEqualTypeOf(useConversation);
expectTypeOf(real.useTotalUnread).toEqualTypeOf(useTotalUnread);
expectTypeOf(real.useSyncStatus).toEqualTypeOf(useSyncStatus);
expectTypeOf(real.usePendingWrites).toEqualTypeOf(usePendingWrites);

// the named types say the same
expectTypeOf<real.ConversationPage>().toEqualTypeOf<ReturnType<typeof useConversationPage>>();
expectTypeOf<real.PageView>().toEqualTypeOf<{ items: LocalConversation[]; total: number; unreadTotal: number }>();
expectTypeOf(real.STOPPED_STATUS).toEqualTypeOf<SyncStatus>();

// a row is read-only in the page: the list belongs to the client
// @ts-expect-error items is a readonly array
expectTypeOf<ReturnType<typeof useConversationPage>['items']>().toEqualTypeOf<LocalConversation[]>();
