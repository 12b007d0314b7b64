/** The commands of the tabs model (tabs-convergence.test.ts), and schedules worth keeping. */

/** One step of a schedule: a server change, a tab's life event, or a tab's call. */
export type Cmd =
  | { t: 'message'; id: number }
  | { t: 'pin'; id: number; on: boolean }
  | { t: 'read'; id: number }
  | { t: 'delete'; id: number }
  | { t: 'reset' }
  | { t: 'open' }
  | { t: 'close'; i: number }
  | { t: 'crash'; i: number }
  | { t: 'freeze' }
  | { t: 'thaw' }
  | { t: 'draft'; i: number; id: number; text: string }
  | { t: 'sync'; i: number }
  | { t: 'clear'; i: number }
  | { t: 'pause' };

/**
 * Schedules the soak once failed, run on every adapter as regression tests. The first: three
 * tabs, the leader closed right after a server change (its round committed after it had
 * released the lock, so the next leader read the list before that commit and nobody
 * announced it), the new leader frozen and thawed: it showed `sg_t5` unread forever.
 */
export const FOUND: Array<[string, Cmd[]]> = [
  [
    'a leader that closes while its commit is in flight: the next leader shows that commit',
    [
      { t: 'sync', i: 2 },
      { t: 'sync', i: 1 },
      { t: 'pause' },
      { t: 'open' },
      { t: 'open' },
      { t: 'open' },
      { t: 'message', id: 0 },
      { t: 'draft', i: 2, id: 4, text: '' },
      { t: 'pause' },
      { t: 'read', id: 5 },
      { t: 'close', i: 5 },
      { t: 'close', i: 4 },
      { t: 'freeze' },
      { t: 'freeze' },
      { t: 'draft', i: 0, id: 3, text: 'hi' },
      { t: 'message', id: 3 },
    ],
  ],
];

