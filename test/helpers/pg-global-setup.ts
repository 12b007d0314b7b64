/**
 * vitest globalSetup: one throwaway PostgreSQL cluster for the whole run (support/postgres.ts),
 * stopped and deleted at the end. When PostgreSQL cannot be started the reason is provided
 * instead, and every postgres test fails with it (test/helpers/postgres.ts); the other
 * tests run as usual.
 */
import type { TestProject } from 'vitest/node';
import { startCluster } from '../../support/postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** the cluster's URL, or '' */
    pgURL: string;
    /** why there is no cluster, or '' */
    pgError: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  try {
    const cluster = await startCluster({ fast: true });
    project.provide('pgURL', cluster.url);
    project.provide('pgError', '');
    return () => cluster.stop();
  } catch (e) {
    project.provide('pgURL', '');
    project.provide('pgError', e instanceof Error ? e.message : String(e));
    return () => {};
  }
}
