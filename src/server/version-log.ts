/**
 * The version log of one target (SPEC §2): an identity (`id`), a version bumped once
 * per change batch, a compaction watermark (`deleted`) and at most one entry per
 * element ID (the latest state wins).
 *
 * Layout, chosen so that "changes since v" costs O(log L + k):
 * - `slots` holds entries in version order (appends only ever carry a higher version).
 *   An entry superseded by a later change of the same eID stays in its slot, dead;
 *   `live` (eID → entry) says which one counts.
 * - `skip` lets a reader jump over dead slots: `skip[i] === i` for a live slot, else a
 *   slot further on, with path compression (union-find style), so a run of dead slots
 *   is crossed once and then costs O(1).
 * - A Fenwick tree over the slots counts the live ones, so `logLen` (the number of
 *   entries newer than v) is exact in O(log L) even when the window overflows and no
 *   entry is read.
 * - When dead slots outnumber live ones the arrays are rebuilt (amortised O(1) per write).
 */
import { randomBytes } from 'node:crypto';

export const LogState = { INSERT: 1, DELETE: 2, UPDATE: 3 } as const;
export type LogStateValue = (typeof LogState)[keyof typeof LogState];

export interface LogEntry {
  readonly eID: string;
  readonly state: LogStateValue;
  readonly version: number;
  /** ms since epoch */
  readonly lastUpdate: number;
}

/** The cheap part of a log: what steps 1–3 of SPEC §2.1 need. */
export interface LogHead {
  id: string;
  version: number;
  deleted: number;
}

export interface LogChanges extends LogHead {
  /** how many entries have `version > since` */
  logLen: number;
  /** those entries in version order, or `[]` when `logLen > limit` (overflow) */
  entries: LogEntry[];
}

/** A fresh log identity: 24 lowercase hex chars, never all zeros. */
export function newLogID(): string {
  for (;;) {
    const id = randomBytes(12).toString('hex');
    if (id !== '000000000000000000000000') return id;
  }
}

export interface VersionLogSnapshot extends LogHead {
  lastUpdate: number;
  entries: LogEntry[];
}

export class VersionLog {
  id: string;
  version = 1;
  deleted = 0;
  lastUpdate: number;

  private slots: LogEntry[] = [];
  private skip: number[] = [];
  /** Fenwick tree (1-based) over slot liveness */
  private tree: number[] = [0];
  /** first slot not dropped by compaction */
  private head = 0;
  /** eID → index of its live slot */
  private live = new Map<string, number>();

  /**
   * @param rebuildMin dead slots tolerated before a rebuild is considered (tests set it
   *   low to exercise the rebuild)
   */
  constructor(id: string = newLogID(), now = Date.now(), private readonly rebuildMin = 1024) {
    this.id = id;
    this.lastUpdate = now;
  }

  /** Live entries currently held. */
  get size(): number {
    return this.live.size;
  }

  /** Slots held, live or dead (for tests of the compaction of dead slots). */
  get slotCount(): number {
    return this.slots.length - this.head;
  }

  headInfo(): LogHead {
    return { id: this.id, version: this.version, deleted: this.deleted };
  }

  /**
   * Records one change batch: one new version, one entry per distinct eID (dropping
   * the previous entry of each). Returns the new version. An empty batch records nothing.
   */
  incr(changes: ReadonlyArray<{ eID: string; state: LogStateValue }>, now = Date.now()): number {
    if (changes.length === 0) return this.version;
    const version = this.version + 1;
    const start = this.slots.length;
    // kill superseded entries first (an eID repeated within the batch: the last state wins)
    let fresh = 0;
    const repeat = new Map<number, LogStateValue>();
    for (const c of changes) {
      const old = this.live.get(c.eID);
      if (old !== undefined && old >= start) repeat.set(old, c.state);
      else {
        if (old !== undefined) this.kill(old);
        this.live.set(c.eID, start + fresh++);
        this.slots.push({ eID: c.eID, state: c.state, version, lastUpdate: now });
      }
    }
    for (const [i, state] of repeat) this.slots[i] = { ...this.slots[i]!, state };
    // the new run of live slots: skip pointers and Fenwick nodes
    let prefix = this.fenwickSum(start); // live slots before the run
    for (let i = start; i < start + fresh; i++) {
      this.skip.push(i);
      // Fenwick node p = i + 1 covers (p - lowbit(p), p]
      const p = i + 1;
      const from = p - (p & -p);
      prefix++;
      this.tree.push(prefix - (from >= start ? prefix - (p - from) : this.fenwickSum(from)));
    }
    this.version = version;
    this.lastUpdate = now;
    this.maybeRebuild();
    return version;
  }

  /** Entries with `version > since`, and their count; entries left out when more than `limit`. */
  changesSince(since: number, limit: number): LogChanges {
    const start = this.firstSlotAfter(since);
    const logLen = this.live.size === 0 ? 0 : this.fenwickSum(this.slots.length) - this.fenwickSum(start);
    const entries: LogEntry[] = [];
    if (logLen <= limit) {
      for (let i = this.nextLive(start); i < this.slots.length; i = this.nextLive(i + 1)) entries.push(this.slots[i]!);
    }
    return { id: this.id, version: this.version, deleted: this.deleted, logLen, entries };
  }

  /**
   * Drops every entry with `version ≤ keepVersion` and raises `deleted` to it. The
   * watermark never goes down and never passes the current version (a higher value
   * would refuse future clients for nothing).
   */
  compact(keepVersion: number): void {
    const keep = Math.min(Math.max(keepVersion, this.deleted), this.version);
    const end = this.firstSlotAfter(keep);
    for (let i = this.head; i < end; i++) {
      if (this.skip[i] === i) {
        this.kill(i);
        this.live.delete(this.slots[i]!.eID);
      }
    }
    this.head = end;
    this.deleted = keep;
    this.maybeRebuild();
  }

  /**
   * The `keepVersion` that retention asks for: the newest version among entries written
   * before `cutoff` (ms), raised so that at most `maxEntries` live entries stay; `null` when
   * nothing is to be dropped. Entries are in version order and written with `Date.now()`,
   * so the age is found by binary search.
   */
  retainVersion(cutoff: number | undefined, maxEntries: number | undefined): number | null {
    let keep = this.deleted;
    if (cutoff !== undefined) {
      let lo = this.head;
      let hi = this.slots.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.slots[mid]!.lastUpdate < cutoff) lo = mid + 1;
        else hi = mid;
      }
      if (lo > this.head) keep = Math.max(keep, this.slots[lo - 1]!.version);
    }
    if (maxEntries !== undefined && this.live.size > maxEntries) {
      let drop = this.live.size - maxEntries;
      let i = this.nextLive(this.head);
      while (--drop > 0) i = this.nextLive(i + 1);
      keep = Math.max(keep, this.slots[i]!.version);
    }
    return keep > this.deleted ? keep : null;
  }

  /** A copy of the live entries in version order. */
  entries(): LogEntry[] {
    return this.changesSince(0, Infinity).entries;
  }

  snapshot(): VersionLogSnapshot {
    return { ...this.headInfo(), lastUpdate: this.lastUpdate, entries: this.entries() };
  }

  // ---- internals ----

  /** index of the first slot (≥ head) whose version is > v: binary search */
  private firstSlotAfter(v: number): number {
    let lo = this.head;
    let hi = this.slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.slots[mid]!.version > v) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** first live slot ≥ i, or slots.length */
  private nextLive(i: number): number {
    const n = this.slots.length;
    let r = i;
    while (r < n && this.skip[r] !== r) r = this.skip[r]!;
    // path compression
    let j = i;
    while (j < n && this.skip[j] !== j) {
      const next = this.skip[j]!;
      this.skip[j] = r;
      j = next;
    }
    return r;
  }

  private kill(i: number): void {
    this.skip[i] = i + 1;
    this.fenwickAdd(i + 1, -1);
  }

  private fenwickAdd(pos: number, delta: number): void {
    for (let p = pos; p < this.tree.length; p += p & -p) this.tree[p]! += delta;
  }

  /** live slots among the first `pos` slots */
  private fenwickSum(pos: number): number {
    let s = 0;
    for (let p = pos; p > 0; p -= p & -p) s += this.tree[p]!;
    return s;
  }

  private maybeRebuild(): void {
    const held = this.slots.length;
    const dead = held - this.live.size;
    if (dead < this.rebuildMin || dead <= this.live.size) return;
    const kept: LogEntry[] = [];
    for (let i = this.nextLive(this.head); i < held; i = this.nextLive(i + 1)) kept.push(this.slots[i]!);
    this.slots = kept;
    this.skip = kept.map((_, i) => i);
    this.head = 0;
    this.live.clear();
    kept.forEach((e, i) => this.live.set(e.eID, i));
    // Fenwick tree of all ones: tree[p] = lowbit(p)
    this.tree = [0];
    for (let p = 1; p <= kept.length; p++) this.tree.push(p & -p);
  }
}
