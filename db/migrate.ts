import type { DataSource } from 'typeorm';

/** Any fixed number: the advisory lock that serialises migrations of instances starting together. */
const MIGRATION_LOCK_KEY = 7_317_001;

/**
 * Runs pending migrations, then `afterMigrations` (the seed), under a session advisory lock, so two
 * instances starting at the same time do not race: the second waits, then finds nothing to do.
 */
export async function migrate(dataSource: DataSource, afterMigrations?: () => Promise<void>): Promise<string[]> {
  return withAdvisoryLock(dataSource, MIGRATION_LOCK_KEY, async () => {
    const ran = await dataSource.runMigrations({ transaction: 'all' });
    if (afterMigrations) await afterMigrations();
    return ran.map((m) => m.name);
  });
}

/** Any fixed number: the advisory lock under which instances start Agenda one at a time (it creates its tables on start). */
const SCHEDULER_START_LOCK_KEY = 7_317_004;

/** Runs `fn` (the scheduler's start) while no other instance runs its own. */
export function withSchedulerStartLock<T>(dataSource: DataSource, fn: () => Promise<T>): Promise<T> {
  return withAdvisoryLock(dataSource, SCHEDULER_START_LOCK_KEY, fn);
}

/** Runs `fn` while holding a session advisory lock: instances doing the same wait their turn. */
export async function withAdvisoryLock<T>(dataSource: DataSource, key: number, fn: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [key]);
    try {
      return await fn();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    await runner.release();
  }
}

/** The SQL that would bring the database in line with the entities (empty = no drift). */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query);
}
