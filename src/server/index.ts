/** convsync/server: the reference server. */
import type { Cursor } from '../protocol/index.js';

export { createServer, createServerState, DEFAULT_SYNC_LIMIT, DEFAULT_REQUEST_TIMEOUT_MS } from './create-server.js';
export type { ConvSyncServer, CreateServerOptions, ServerState } from './create-server.js';
export { MemoryConversationStore } from './stores/memory/store.js';
export type { MemoryStoreSnapshot } from './stores/memory/store.js';
export { MUTATIONS_REMEMBERED } from './ports.js';
export type {
  Announce,
  Commit,
  CommitResult,
  ConversationDirectory,
  ConversationFeed,
  ConversationInfo,
  ConversationReads,
  ConversationStore,
  ConversationWrites,
  Edit,
  MemberInfo,
  RetentionPolicy,
  SortedPage,
  Unsubscribe,
} from './ports.js';
export { openStore, openPostgresStore, isPostgresURL, DEFAULT_PG_RETENTION, DEFAULT_RETENTION_INTERVAL_MS } from './stores/open.js';
export type { OpenedStore, PostgresStore, PostgresStoreOptions, RetentionOptions, StoreSpec } from './stores/open.js';
export { MissingPeerError } from './optional.js';
export { StoreUnavailableError, isUnavailable, RETRY_AFTER_SECONDS } from './unavailable.js';
export { VersionLog, LogState, newLogID } from './version-log.js';
export type { LogChanges, LogEntry, LogHead, LogStateValue, VersionLogSnapshot } from './version-log.js';
export { decide, decideBatch, decideFromHead } from './decision.js';
export type { Decision, DecisionReason } from './decision.js';
/** @deprecated the protocol's `Cursor` (the same shape) */
export type ClientCursor = Cursor;
export { issueToken, verifyToken, tokenFromHeaders, newTokenSecret } from './auth.js';
export type { IssuedToken, TokenCheck } from './auth.js';
export { ConversationService } from './service.js';
export type { MutationEvent, SeedResult, ServiceOptions } from './service.js';
export { changedFrame, framesFor, framesTo, DELTA_MAX } from './notifications.js';
export type { Notifier, Outgoing, WriteEffect } from './notifications.js';
// the conversation rules live in the protocol, shared with the client
export { sameConversation, singleChatID, peerOf } from '../protocol/index.js';
export { Metrics } from './metrics.js';
export type { WsRefusal } from './metrics.js';
export { jsonLineLogger, silentLogger } from './logger.js';
export type { Logger } from './logger.js';
export { ApiError } from './http/api-error.js';
export { MAX_BODY_BYTES } from './http/handler.js';
export { CLOSE_AUTH, CLOSE_MALFORMED } from './ws/hub.js';
export { CLOSE_TOO_MANY, DEFAULT_MAX_SOCKETS_PER_USER, DEFAULT_MAX_UNAUTHENTICATED_SOCKETS } from './ws/limits.js';
export { LOOPBACK_HOSTS } from './http/request-guard.js';
