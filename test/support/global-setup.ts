import { rm } from 'node:fs/promises';
import { pino } from 'pino';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../db/embedded-postgres.js';
import { testDatabaseUrl } from '../../env.js';
import { missingPrerequisites } from './prerequisites.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

/**
 * One real PostgreSQL for the whole run: TEST_DATABASE_URL when set, else an embedded one in a
 * scratch directory. Each test file makes its own database on it (test/support/test-app.ts).
 */
export default async function setup(project: TestProject) {
  // Under CI a missing prerequisite fails here, before any test; elsewhere the summary is printed
  // again after the run, so the skip cannot scroll by unnoticed.
  const missing = missingPrerequisites();
  const summary = () => {
    for (const m of missing) console.warn(`[prerequisite missing] ${m}`);
  };
  const external = testDatabaseUrl();
  if (external) {
    project.provide('adminDatabaseUrl', external);
    return summary;
  }
  const dir = `.data-test/${project.name}-${process.pid}`;
  await rm(dir, { recursive: true, force: true });
  const pg = await startEmbeddedPostgres(dir, pino({ level: 'warn' }));
  project.provide('adminDatabaseUrl', pg.url);
  return async () => {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
    summary();
  };
}
