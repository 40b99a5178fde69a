import type { DataSource } from 'typeorm';

/** Any fixed number: the advisory lock that serialises migrations of instances starting together. */
const MIGRATION_LOCK_KEY = 7_317_001;

/**
 * Runs pending migrations, then `afterMigrations` (the seed), under a session advisory lock, so two
 * instances starting at the same time do not race: the second waits, then finds nothing to do.
 */
export async function migrate(dataSource: DataSource, afterMigrations?: () => Promise<void>): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const ran = await dataSource.runMigrations({ transaction: 'all' });
      if (afterMigrations) await afterMigrations();
      return ran.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
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
