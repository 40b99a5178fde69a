import type { Logger } from 'pino';
import pg from 'pg';

/**
 * A PostgreSQL restart terminates every connection. pg emits that as an 'error' event on the pool
 * (idle clients) and on each checked-out client (e.g. a LISTEN connection); an 'error' event with no
 * listener would crash the process. Log them instead: the pool reconnects on the next checkout.
 */
export function guardPool(pool: pg.Pool, logger: Logger): void {
  pool.on('error', (err) => logger.warn({ err: err.message }, 'database connection lost'));
  pool.on('connect', (client) => {
    client.on('error', (err) => logger.warn({ err: err.message }, 'database connection lost'));
  });
}

/**
 * The scheduler's own small pool (Agenda's backend and its LISTEN channel), guarded like the app's.
 * `close`: after a restart a dead client may never come back to the pool, so pool.end() gets a
 * moment, then it is let go.
 */
export function openSchedulerPool(databaseUrl: string, logger: Logger): { pool: pg.Pool; close(): Promise<void> } {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 4,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
    application_name: 'oee-monitor-scheduler',
  });
  guardPool(pool, logger);
  return {
    pool,
    close: () => Promise.race([pool.end().catch(() => undefined), new Promise<void>((r) => setTimeout(r, 2_000).unref())]),
  };
}
