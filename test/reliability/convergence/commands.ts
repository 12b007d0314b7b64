/**
 * The commands of a convergence schedule (test/reliability/convergence.test.ts) and the
 * fast-check arbitraries that draw them. A schedule is plain JSON: a printed counterexample
 * can be replayed as it is (`CONVSYNC_REPLAY`) or kept in `counterexamples/`.
 */
import fc from 'fast-check';

export const USER = 'u1';
export const SYNC_LIMIT = 5;
/** The conversations a schedule plays with (index → ID). */
export const IDS = [...Array.from({ length: 10 }, (_, i) => `sg_g${i}`), 'si_u1_u2', 'si_u1_u3'] as const;
export const idOf = (i: number): string => IDS[i % IDS.length]!;

export type FetchMode = 'fail' | 'timeout' | 'truncate' | 'lost' | 'html503';
export type FrameMode = 'drop' | 'dup' | 'delay' | 'reorder';
/** How the server process is stopped: killed (no goodbye) or asked to shut down. */
export type StopSignal = 'SIGKILL' | 'SIGTERM';

export type Cmd =
  // server side
  | { t: 'message'; id: number; from: number }
  | { t: 'update'; id: number; field: 'showName' | 'ex' | 'attachedInfo' | 'time'; v: number }
  | { t: 'delete'; ids: number[] }
  | { t: 'read'; id: number; back: number }
  | { t: 'pin'; id: number; on: boolean }
  | { t: 'mute'; id: number; opt: 0 | 1 | 2 }
  | { t: 'burst'; n: number; oneVersion: boolean }
  | { t: 'reset' }
  | { t: 'compact'; back: number }
  /** the server's process is stopped (`signal`, default SIGKILL) and a new one started on the same data and port */
  | { t: 'restartServer'; signal?: StopSignal }
  // network
  | { t: 'fetchFault'; mode: FetchMode; n: number }
  | { t: 'frameFault'; mode: FrameMode; n: number }
  | { t: 'release' }
  | { t: 'dropSocket' }
  // client side
  | { t: 'sync' }
  | { t: 'restartClient'; reload: boolean }
  | { t: 'crash'; k: number }
  | { t: 'draft'; id: number; text: string }
  | { t: 'pause' };

export interface Schedule {
  driftCheck: boolean;
  seed: number[];
  cmds: Cmd[];
}

/** A schedule with a server restart runs against a server process on PostgreSQL; others in process on memory. */
export const needsProcess = (sch: Schedule): boolean => sch.cmds.some((c) => c.t === 'restartServer');

const idx = fc.nat({ max: IDS.length - 1 });
/**
 * Relative weights. A server restart is drawn a third as often as the rarest other command
 * (about one schedule in six has one): such a schedule runs on a server process, which
 * costs a second or two more.
 */
const w = (n: number): number => 3 * n;
export const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant('message' as const), id: idx, from: fc.nat({ max: 2 }) }), weight: w(5) },
  {
    arbitrary: fc.record({
      t: fc.constant('update' as const),
      id: idx,
      field: fc.constantFrom('showName' as const, 'ex' as const, 'attachedInfo' as const, 'time' as const),
      v: fc.nat({ max: 5 }),
    }),
    weight: w(3),
  },
  { arbitrary: fc.record({ t: fc.constant('delete' as const), ids: fc.uniqueArray(idx, { minLength: 1, maxLength: 3 }) }), weight: w(2) },
  { arbitrary: fc.record({ t: fc.constant('read' as const), id: idx, back: fc.nat({ max: 1 }) }), weight: w(3) },
  { arbitrary: fc.record({ t: fc.constant('pin' as const), id: idx, on: fc.boolean() }), weight: w(2) },
  { arbitrary: fc.record({ t: fc.constant('mute' as const), id: idx, opt: fc.constantFrom(0 as const, 1 as const, 2 as const) }), weight: w(2) },
  { arbitrary: fc.record({ t: fc.constant('burst' as const), n: fc.integer({ min: SYNC_LIMIT + 1, max: IDS.length }), oneVersion: fc.boolean() }), weight: w(1) },
  { arbitrary: fc.constant({ t: 'reset' as const }), weight: w(1) },
  { arbitrary: fc.record({ t: fc.constant('compact' as const), back: fc.nat({ max: 4 }) }), weight: w(1) },
  { arbitrary: fc.record({ t: fc.constant('restartServer' as const), signal: fc.constantFrom<StopSignal>('SIGKILL', 'SIGTERM') }), weight: 1 },
  {
    arbitrary: fc.record({
      t: fc.constant('fetchFault' as const),
      mode: fc.constantFrom<FetchMode>('fail', 'timeout', 'truncate', 'lost', 'html503'),
      n: fc.integer({ min: 1, max: 3 }),
    }),
    weight: w(3),
  },
  {
    arbitrary: fc.record({
      t: fc.constant('frameFault' as const),
      mode: fc.constantFrom<FrameMode>('drop', 'dup', 'delay', 'reorder'),
      n: fc.integer({ min: 1, max: 4 }),
    }),
    weight: w(3),
  },
  { arbitrary: fc.constant({ t: 'release' as const }), weight: w(1) },
  { arbitrary: fc.constant({ t: 'dropSocket' as const }), weight: w(1) },
  { arbitrary: fc.constant({ t: 'sync' as const }), weight: w(2) },
  { arbitrary: fc.record({ t: fc.constant('restartClient' as const), reload: fc.boolean() }), weight: w(1) },
  { arbitrary: fc.record({ t: fc.constant('crash' as const), k: fc.integer({ min: 1, max: 4 }) }), weight: w(3) },
  { arbitrary: fc.record({ t: fc.constant('draft' as const), id: idx, text: fc.constantFrom('', 'hi', 'draft ✎', 'x'.repeat(40)) }), weight: w(2) },
  { arbitrary: fc.constant({ t: 'pause' as const }), weight: w(5) },
);

export const scheduleArb: fc.Arbitrary<Schedule> = fc.record({
  driftCheck: fc.boolean(),
  seed: fc.uniqueArray(idx, { minLength: 2, maxLength: 10 }),
  cmds: fc.array(cmdArb, { minLength: 1, maxLength: 50, size: 'max' }),
});

/** A schedule as printed by fast-check (`[schedule]`) or as a bare object. */
export function parseSchedule(text: string): Schedule {
  const v = JSON.parse(text) as Schedule | [Schedule];
  return Array.isArray(v) ? v[0] : v;
}
