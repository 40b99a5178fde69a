import 'reflect-metadata';
import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import { entities } from './entities/index.js';
import { migrations } from './migrations/index.js';

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
  /** Called with every failed query's error (health watches for a full disk this way). */
  onQueryError?: (err: unknown) => void;
}

/** TypeORM logs nothing (the app logs what it answers); failed queries are handed to `onQueryError`. */
class QueryErrorObserver implements TypeOrmLogger {
  constructor(private readonly onQueryError: (err: unknown) => void) {}
  logQueryError(error: string | Error): void {
    this.onQueryError(error);
  }
  logQuery(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

/** The TypeORM data source. Schema changes go through migrations only (no synchronize). */
export function createDataSource({ url, poolSize = 20, applicationName = 'oee-monitor', onQueryError }: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    logging: false,
    ...(onQueryError ? { logger: new QueryErrorObserver(onQueryError) } : {}),
    applicationName,
    extra: {
      max: poolSize,
      // Fail fast while the database is down instead of hanging requests (docs/architecture.md: nothing lost, nothing stuck).
      connectionTimeoutMillis: 3_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: 30_000,
      idle_in_transaction_session_timeout: 60_000,
    },
  });
}
