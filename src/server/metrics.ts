/** Server counters, rendered in the Prometheus text format for `GET /metrics` (SPEC §3.3). */
import type { SyncMode } from '../protocol/index.js';

/**
 * Why a socket was refused or closed by the server's rules: an upgrade from a refused
 * `Origin` or `Host`, over the unauthenticated limit; an authenticated socket over its
 * user's limit, or at its token's expiry.
 */
export type WsRefusal = 'origin' | 'host' | 'unauthenticated_limit' | 'user_limit' | 'token_expired';
const WS_REFUSALS: readonly WsRefusal[] = ['origin', 'host', 'unauthenticated_limit', 'user_limit', 'token_expired'];

/** upper bounds in seconds */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class Metrics {
  readonly answers: Record<SyncMode, number> = { full: 0, incremental: 0, equal: 0 };
  private readonly latency = new Array<number>(BUCKETS.length).fill(0);
  private latencyCount = 0;
  private latencySum = 0;
  logEntries = 0;
  logVersions = 0;
  overflows = 0;
  compactedFulls = 0;
  openSockets = 0;
  notificationsSent = 0;
  requests = 0;
  /** requests cut because their headers or body did not arrive within the timeouts */
  requestTimeouts = 0;
  /** WebSocket upgrades accepted (before auth), and refused or closed by the limits, by reason */
  readonly ws = { accepted: 0, refused: new Map<WsRefusal, number>() };
  /** user writes that carried a mutationID: run, or answered from memory without running */
  readonly mutations = { applied: 0, repeated: 0 };
  readonly errors = new Map<number, number>();

  answer(mode: SyncMode, seconds: number, overflow = false): void {
    this.answers[mode]++;
    if (overflow) this.overflows++;
    this.latencyCount++;
    this.latencySum += seconds;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) this.latency[i]!++;
  }

  wsRefused(reason: WsRefusal): void {
    this.ws.refused.set(reason, (this.ws.refused.get(reason) ?? 0) + 1);
  }

  error(code: number): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  render(): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, lines: string[]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
    };
    metric(
      'convsync_sync_answers_total',
      'counter',
      'Sync answers by mode.',
      (['full', 'incremental', 'equal'] as const).map((m) => `convsync_sync_answers_total{mode="${m}"} ${this.answers[m]}`),
    );
    metric('convsync_sync_answer_seconds', 'histogram', 'Time to decide and build one sync answer.', [
      ...BUCKETS.map((b, i) => `convsync_sync_answer_seconds_bucket{le="${b}"} ${this.latency[i]}`),
      `convsync_sync_answer_seconds_bucket{le="+Inf"} ${this.latencyCount}`,
      `convsync_sync_answer_seconds_sum ${this.latencySum}`,
      `convsync_sync_answer_seconds_count ${this.latencyCount}`,
    ]);
    metric('convsync_log_entries_total', 'counter', 'Version log entries written.', [`convsync_log_entries_total ${this.logEntries}`]);
    metric('convsync_log_versions_total', 'counter', 'Version log change batches (versions) written.', [
      `convsync_log_versions_total ${this.logVersions}`,
    ]);
    metric('convsync_log_overflows_total', 'counter', 'Sync answers that went full because the change window overflowed syncLimit.', [
      `convsync_log_overflows_total ${this.overflows}`,
    ]);
    metric(
      'convsync_mutations_total',
      'counter',
      'User writes that carried a mutationID, by result: applied, or repeated (answered with the first answer).',
      (['applied', 'repeated'] as const).map((r) => `convsync_mutations_total{result="${r}"} ${this.mutations[r]}`),
    );
    metric('convsync_open_sockets', 'gauge', 'Authenticated WebSocket connections.', [`convsync_open_sockets ${this.openSockets}`]);
    metric('convsync_notifications_sent_total', 'counter', 'Notification frames sent to sockets.', [
      `convsync_notifications_sent_total ${this.notificationsSent}`,
    ]);
    metric('convsync_http_requests_total', 'counter', 'HTTP requests handled.', [`convsync_http_requests_total ${this.requests}`]);
    metric('convsync_http_request_timeouts_total', 'counter', 'Connections cut because headers or body did not arrive in time.', [
      `convsync_http_request_timeouts_total ${this.requestTimeouts}`,
    ]);
    metric('convsync_ws_upgrades_total', 'counter', 'WebSocket upgrades accepted.', [`convsync_ws_upgrades_total ${this.ws.accepted}`]);
    metric(
      'convsync_ws_refused_total',
      'counter',
      'WebSocket upgrades refused and sockets closed by the server rules, by reason.',
      WS_REFUSALS.map((r) => `convsync_ws_refused_total{reason="${r}"} ${this.ws.refused.get(r) ?? 0}`),
    );
    metric(
      'convsync_errors_total',
      'counter',
      'Error answers by errCode.',
      [...this.errors].sort((a, b) => a[0] - b[0]).map(([code, n]) => `convsync_errors_total{code="${code}"} ${n}`),
    );
    return out.join('\n') + '\n';
  }
}
