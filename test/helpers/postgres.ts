/**
 * PostgreSQL for a test file: a fresh database of the run's cluster (started by
 * test/helpers/pg-global-setup.ts), and stores on it. Without PostgreSQL these helpers throw
 * the reason, so postgres tests fail with it rather than being skipped.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openPostgresStore, type PostgresStore, type PostgresStoreOptions } from '../../src/server/index.js';

/** The cluster's URL; throws why there is none. */
export function clusterURL(): string {
  const url = inject('pgURL');
  if (!url) throw new Error(inject('pgError') || 'no PostgreSQL cluster was started (test/helpers/pg-global-setup.ts)');
  return url;
}

/** Creates an empty database and answers its URL. */
export async function freshDatabase(tag = 't'): Promise<string> {
  const url = clusterURL();
  const name = `${tag}_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  return url.replace(/\/[^/]*$/, `/${name}`);
}

/** Opens a store on `url` (a fresh database when omitted). */
export async function pgStore(url?: string, o: PostgresStoreOptions = {}): Promise<PostgresStore> {
  return openPostgresStore(url ?? (await freshDatabase()), o);
}

/** Runs one SQL statement on `url` with its own connection. */
export async function sql<T extends pg.QueryResultRow = any>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}
