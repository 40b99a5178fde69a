/**
 * `npm run verify -- --from ISO --to ISO [--repair]`: the verifier of docs/timeline-truth.md against the
 * configured database (env.ts). Prints every difference; exits 1 when differences remain (not repaired),
 * 2 on bad arguments.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { systemClock } from '../core/clock.js';
import { verifyRequestSchema, type VerifyReport } from '../core/schemas/verify.schema.js';
import { influxSettings, loadEnv } from '../env.js';
import { OeeService } from '../services/oee/oee.service.js';
import { createShopFloorServices } from '../services/shop-floor.services.js';
import { VerifyService } from '../services/verify.service.js';
import { ChangeFeed } from '../services/change-feed.js';
import { createDataSource } from '../db/data-source.js';
import { startEmbeddedPostgres } from '../db/embedded-postgres.js';
import { OutboxRepository, outboxWriterFor } from '../db/influx/outbox.repository.js';
import { createRepositories } from '../db/repositories/index.js';

const { values } = parseArgs({
  options: { from: { type: 'string' }, to: { type: 'string' }, repair: { type: 'boolean', default: false } },
  strict: true,
});
const request = verifyRequestSchema.safeParse({ from: values.from, to: values.to, repair: values.repair });
if (!request.success) {
  console.error(
    `usage: npm run verify -- --from 2026-03-01T00:00:00Z --to 2026-03-02T00:00:00Z [--repair]\n${request.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
  );
  process.exit(2);
}

const env = loadEnv();
const logger = pino({ level: env.LOG_LEVEL });
const embedded = env.DATABASE_URL ? null : await startEmbeddedPostgres(env.OEE_DATA_DIR, logger);
const dataSource = createDataSource({ url: env.DATABASE_URL ?? embedded!.url });
let remaining: number;
try {
  await dataSource.initialize();
  const feed = new ChangeFeed();
  const repos = createRepositories(dataSource, feed);
  const outbox = new OutboxRepository(dataSource, { enabled: influxSettings(env) !== null });
  const { stateEvents } = createShopFloorServices(dataSource, repos, feed, outboxWriterFor(outbox), systemClock);
  const verify = new VerifyService(dataSource, repos, stateEvents, new OeeService(repos, systemClock, logger));
  const report = await verify.run({ userId: null, apiKeyId: null }, request.data);
  console.log(describe(report));
  remaining = report.repaired ? 0 : report.timeline.length + report.rollups.length;
} finally {
  await dataSource.destroy();
  await embedded?.stop();
}
process.exit(remaining > 0 ? 1 : 0);

function describe(r: VerifyReport): string {
  const state = (s: VerifyReport['timeline'][number]['stored']) =>
    s ? `code ${s.activityCodeId} job ${s.jobId ?? '-'} operator ${s.operatorId ?? '-'}` : 'no interval';
  const lines = [
    `verified ${r.from} .. ${r.to}: ${r.machinesChecked} machines, ${r.rollupsChecked} stored roll-ups`,
    ...r.timeline.map(
      (d) => `timeline machine ${d.machineId} ${d.from} .. ${d.to}: stored ${state(d.stored)}, recomputed ${state(d.recomputed)}`,
    ),
    ...r.rollups.map(
      (d) => `roll-up machine ${d.machineId} ${d.hourStart} (${d.hours} h) ${d.field}: stored ${d.stored}, recomputed ${d.recomputed}`,
    ),
    `${r.timeline.length} timeline and ${r.rollups.length} roll-up differences` +
      (r.repaired ? `; repaired: ${r.repaired.timelines} timelines re-projected, ${r.repaired.rollups} roll-up rows dropped` : ''),
  ];
  return lines.join('\n');
}
