/**
 * `npm run bench`: measures the budgets of docs/architecture.md against the real app on loopback and prints
 * them as numbers. Each part is a module in this folder; timings never go into the test suite.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseEnv, testRunEnv } from '../../env.js';
import { startServer } from '../../server.js';
import { exportBench } from './export.bench.js';
import { fanoutBench } from './fanout.bench.js';
import { ingestBench } from './ingest.bench.js';
import { oeeBench } from './oee.bench.js';
import type { BenchPart } from './parts.js';

/** The parts, in order. */
const benchParts: BenchPart[] = [ingestBench, oeeBench, fanoutBench, exportBench];

const only = process.argv.slice(2);
const dataDir = await mkdtemp(join(tmpdir(), 'oee-bench-'));
const adminPassword = 'bench-admin-password';
const { databaseUrl } = testRunEnv();
const env = parseEnv({
  PORT: '0',
  HOST: '127.0.0.1',
  OEE_DATA_DIR: dataDir,
  OEE_ADMIN_PASSWORD: adminPassword,
  LOG_LEVEL: 'silent',
  OEE_DB_POOL_SIZE: '40',
  ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
});
const started = performance.now();
const app = await startServer({ env, logger: pino({ level: 'silent' }) });
console.log(`start-up (embedded PostgreSQL, migrations, seed): ${Math.round(performance.now() - started)} ms`);
try {
  for (const part of benchParts) {
    if (only.length && !only.includes(part.name)) continue;
    console.log(`\n## ${part.name}`);
    await part.run({ app, adminPassword });
  }
} finally {
  await app.stop();
  await rm(dataDir, { recursive: true, force: true });
}
