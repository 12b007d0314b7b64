/**
 * One transaction on one pooled connection. pg-pool listens for a connection's `'error'`
 * only while it is idle: a connection that breaks while checked out (the database was
 * killed, failed over, or terminated the backend) emits an `'error'` nobody hears, and
 * Node ends the process. Here the checkout has its listener: the statement in progress
 * rejects, the caller gets the error, and the broken connection leaves the pool.
 */
import type { Pool, PoolClient } from 'pg';

/** Runs `fn` between `BEGIN` and `COMMIT`; rolls back on any error. */
export async function transaction<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  const onError = (e: Error): void => void (broken ??= e);
  c.on('error', onError);
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    await c.query('ROLLBACK').catch((err: Error) => (broken ??= err));
    throw e;
  } finally {
    // a broken connection is destroyed and keeps its listener (a late 'error' stays heard)
    if (!broken) c.off('error', onError);
    c.release(broken);
  }
}
