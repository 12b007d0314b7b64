/**
 * The tasks of a page's main thread while something runs, from a Chromium trace: for each,
 * its wall time and the thread's CPU time. On a shared machine a task's wall time also
 * counts the time the thread waited for a core; its CPU time is the work it did.
 */
import type { BrowserContext, Page } from 'playwright-core';

export interface Task {
  /** ms the task took */
  wall: number;
  /** ms of the main thread's CPU time in it */
  cpu: number;
  /** ms of that CPU time spent collecting garbage */
  gc: number;
}

interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

export async function mainThreadTasks(context: BrowserContext, page: Page, run: () => Promise<void>): Promise<Task[]> {
  const cdp = await context.newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => void events.push(...(e.value as unknown as TraceEvent[])));
  const complete = new Promise<void>((ok) => cdp.once('Tracing.tracingComplete', () => ok()));
  // the scheduler's tasks and the timeline's events (GC among them): a 100,000 full sync traces ~20 MB
  const categories = ['disabled-by-default-devtools.timeline', 'devtools.timeline'];
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: categories, excludedCategories: ['*'] }, transferMode: 'ReportEvents' });
  try {
    await run();
  } finally {
    await cdp.send('Tracing.end');
    await complete;
    await cdp.detach();
  }
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ph !== 'X' || !mains.has(key) || e.tdur === undefined) continue;
    if (e.name === 'RunTask' || e.name === 'MajorGC' || e.name === 'MinorGC') byThread.set(key, [...(byThread.get(key) ?? []), e]);
  }
  // the page's renderer is the busy one (others are idle pages of the context)
  const busiest = [...byThread.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  const runs = busiest.filter((e) => e.name === 'RunTask');
  const gcs = busiest.filter((e) => e.name !== 'RunTask');
  return runs.map((t) => {
    const inside = gcs.filter((g) => g.ts >= t.ts && g.ts < t.ts + (t.dur ?? 0));
    return { wall: (t.dur ?? 0) / 1000, cpu: t.tdur! / 1000, gc: inside.reduce((n, g) => n + g.tdur!, 0) / 1000 };
  });
}
