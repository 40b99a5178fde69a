import type { Logger } from 'pino';
import type pg from 'pg';

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
