import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import { inject } from 'vitest';
import { systemClock, type Clock } from '../../core/clock.js';
import { parseEnv, testRunEnv, type Env } from '../../env.js';
import { startServer, type RunningServer } from '../../server.js';

export const ADMIN_PASSWORD = 'test-admin-password';

/** A fresh, empty database on the run's Postgres. */
export async function createTestDatabase(): Promise<string> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `oee_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestApp extends RunningServer {
  databaseUrl: string;
  env: Env;
}

/** The real app on port 0 against a fresh database (or the one given). */
export async function startTestApp(
  options: { databaseUrl?: string; clock?: Clock; web?: boolean; env?: Record<string, string>; logger?: Logger } = {},
): Promise<TestApp> {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase());
  const dataDir = await mkdtemp(join(tmpdir(), 'oee-test-'));
  const env = parseEnv({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    OEE_DATA_DIR: dataDir,
    OEE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: testRunEnv().logLevel ?? 'silent',
    // No UDP discovery on 8090 unless a test asks for it (with a free port).
    OEE_DISCOVERY_PORT: '0',
    ...options.env,
  });
  const running = await startServer({
    env,
    clock: options.clock ?? systemClock,
    web: options.web ?? false,
    logger: options.logger ?? pino({ level: env.LOG_LEVEL }),
  });
  return {
    ...running,
    databaseUrl,
    env,
    stop: async () => {
      await running.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
