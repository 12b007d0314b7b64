/** Running one schedule of a model-based test, and replaying a printed counterexample. */
import { describe, it } from 'vitest';

/** One schedule's world: set up, run each command, wait until quiet and check, tear down. */
export interface ScheduleRun<C> {
  begin(): Promise<void>;
  exec(cmd: C): Promise<void>;
  quietAndCheck(): Promise<void>;
  end(): Promise<void>;
}

/** Runs `cmds` on a fresh run; the run is torn down whatever happens. */
export async function runSchedule<C>(run: ScheduleRun<C>, cmds: C[]): Promise<void> {
  try {
    await run.begin();
    for (const cmd of cmds) await run.exec(cmd);
    await run.quietAndCheck();
  } finally {
    await run.end();
  }
}

/**
 * When the environment variable `name` holds a counterexample as fast-check printed it
 * (`[[...cmds]]` or `[...cmds]`), runs that one schedule on each of `kinds`.
 */
export function replay<K extends string, C>(name: string, kinds: K[], make: (kind: K) => ScheduleRun<C>): void {
  const text = process.env[name];
  if (!text) return;
  describe.each(kinds)(`replay of ${name} (%s)`, (kind) => {
    it('converges', async () => {
      const v = JSON.parse(text) as C[] | [C[]];
      await runSchedule(make(kind), (Array.isArray(v[0]) ? v[0] : v) as C[]);
    }, 120_000);
  });
}
