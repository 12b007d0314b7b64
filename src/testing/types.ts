/** The conformance kit's vocabulary: checks, their results, the report, the options. */
import type { KitClient } from './client.js';

/** One behaviour of SPEC §2–§4 checked over HTTP and WebSocket. */
export interface Check {
  /** `group.name`, e.g. `decision.incremental` */
  name: string;
  /** what it checks, one line */
  title: string;
  run(k: KitClient): Promise<void>;
}

/** The outcome of one check. */
export interface CheckResult {
  name: string;
  title: string;
  ok: boolean;
  ms: number;
  /** why it failed */
  reason?: string;
}

/** Every check's outcome. */
export interface KitReport {
  url: string;
  passed: number;
  failed: number;
  results: CheckResult[];
}

/** Options of `runConformance`. */
export interface KitOptions {
  /** WebSocket URL, default `ws(s)://<host>/ws` of `url` */
  wsURL?: string;
  /** the server's syncLimit (SPEC §2), default 200 */
  syncLimit?: number;
  /** time allowed to one check, default 15 s */
  checkTimeoutMs?: number;
  /** time allowed to the whole run, default 300 s: checks not started by then fail */
  totalTimeoutMs?: number;
  /** run only the checks whose name starts with one of these */
  only?: readonly string[];
  /** called after each check */
  onResult?: (r: CheckResult) => void;
}

/** A failed expectation: its message is the check's reason. */
export class KitFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KitFailure';
  }
}
