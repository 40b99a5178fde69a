import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { isDatabaseUnavailable } from './pg-errors.js';

/** Waits between attempts to reach the database at start: 1, 2, 4, 8, 16, then every 30 seconds. */
const CONNECT_RETRY_SECONDS = [1, 2, 4, 8, 16, 30];

/**
 * Connects, retrying while the database is unreachable (it may start after the app, as in a compose
 * file or after a power cut), one log line per attempt. Other failures (a wrong password, a missing
 * database) are not going to pass by waiting: they end the start. `signal` cancels the wait.
 */
export async function connectDatabase(
  create: () => DataSource,
  url: string,
  logger: Logger,
  signal: AbortSignal | undefined,
): Promise<DataSource> {
  const { hostname, port } = new URL(url);
  const where = `${hostname}:${port || '5432'}`;
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    const dataSource = create();
    try {
      return await dataSource.initialize();
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      const seconds = CONNECT_RETRY_SECONDS[Math.min(attempt, CONNECT_RETRY_SECONDS.length - 1)]!;
      const reason = (err as { code?: string }).code ?? (err as Error).message;
      logger.warn({ attempt: attempt + 1, reason }, `database not reachable at ${where} (${reason}), retrying in ${seconds}s`);
      await sleep(seconds * 1000, undefined, signal ? { signal } : {});
    }
  }
}
