import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Category } from '../core/schemas/setup.schema.js';
import { InfluxWriteError, type PointWriter } from '../db/influx/influx-writer.js';
import { OutboxRelay } from '../db/influx/outbox-relay.js';
import { OutboxRepository, type OutboxRow, type ProductionPoint, type StateChangePoint } from '../db/influx/outbox.repository.js';
import { clientsForRoles } from './support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';
import { optionalPrerequisite, VICTORIA_METRICS } from './support/prerequisites.js';
import { VictoriaMetrics, type ExportedSeries } from './support/victoria-metrics.js';

/**
 * The InfluxDB outbox end to end against a real line-protocol server (victoria-metrics, which names a
 * series `<measurement>_<field>` and keeps tags as labels): exact values and timestamps, an outage
 * with an app restart in the middle, two instances relaying at once, the flush on stop, and no outbox
 * rows at all without INFLUX_URL.
 */

const MACHINES = [101, 102, 103, 104, 105];
const CODES: { id: number; category: Category }[] = [
  { id: 1, category: 'running' },
  { id: 2, category: 'unplanned_stop' },
  { id: 3, category: 'planned_shutdown' },
  { id: 7, category: 'planned_stop' },
];
const influxEnv = (url: string) => ({ INFLUX_URL: url, INFLUX_TOKEN: 'x', INFLUX_ORG: 'oee', INFLUX_BUCKET: 'oee' });

/** Polls until `check` holds; fails with `what` and the last value seen after the deadline. */
async function waitFor<T>(what: string, probe: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (check(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Health {
  status: 'ok' | 'degraded';
  database: string;
  influx: string;
  outbox?: { pending: number; oldestSeconds: number };
}
const health = async (app: TestApp): Promise<Health> => (await fetch(`${app.url}/api/v1/health`)).json() as Promise<Health>;

// Distinct, strictly increasing times per machine, with milliseconds, well inside the retention.
const base = Math.floor(Date.now() / 1000) * 1000 - 6 * 3600_000;
let nextEvent = 0;
function stateChanges(count: number): StateChangePoint[] {
  return Array.from({ length: count }, () => {
    const k = nextEvent++;
    const code = CODES[(k * 7) % CODES.length]!;
    const jobId = k % 2 ? 1_000 + k : null;
    return {
      machineId: MACHINES[k % MACHINES.length]!,
      activityCodeId: code.id,
      category: code.category,
      at: new Date(base + k * 1_000 + ((k * 37) % 1_000)),
      source: 'device',
      jobId,
      jobNumber: jobId ? `J-${k}` : null,
      operatorId: k % 3 ? 20 + (k % 4) : null,
    };
  });
}

/** Commits the points the way ingest does: in transactions, then the after-commit wake-up. */
async function enqueue(app: TestApp, points: StateChangePoint[], perTransaction: number, sink: StateChangePoint[]): Promise<void> {
  for (let i = 0; i < points.length; i += perTransaction) {
    const chunk = points.slice(i, i + perTransaction);
    await app.dataSource.transaction((tx) => app.outbox.enqueueStateChange(tx, perTransaction === 1 ? chunk[0]! : chunk));
    app.outbox.notifyCommitted();
    sink.push(...chunk);
  }
}

/** `labels|timestamp|value` for every raw sample: a point written twice appears twice. */
function samples(series: ExportedSeries[], labels: string[]): string[] {
  return series.flatMap((s) => s.timestamps.map((t, i) => `${labels.map((l) => s.metric[l] ?? '-').join('|')}|${t}|${s.values[i]}`)).sort();
}

const stateLabels = ['machine_id', 'activity_code_id', 'category'];
const ofMachines = `machine_id=~"${MACHINES.join('|')}"`;
function expectedStateSamples(points: StateChangePoint[], value: (p: StateChangePoint) => number | null | undefined): string[] {
  return points
    .filter((p) => value(p) != null)
    .map((p) => `${p.machineId}|${p.activityCodeId}|${p.category}|${p.at.getTime()}|${value(p)}`)
    .sort();
}

/** Every point in victoria-metrics exactly once with its exact values, tags and millisecond timestamp. */
async function expectStatePointsInVictoria(vm: VictoriaMetrics, points: StateChangePoint[]): Promise<void> {
  const running = await waitFor(
    `${points.length} machine_state points in victoria-metrics`,
    () => vm.export(`{__name__="machine_state_running",${ofMachines}}`),
    (series) => series.reduce((n, s) => n + s.timestamps.length, 0) >= points.length,
  );
  expect(samples(running, stateLabels)).toEqual(expectedStateSamples(points, (p) => (p.category === 'running' ? 1 : 0)));
  for (const machine of MACHINES) {
    const times = running.filter((s) => s.metric.machine_id === String(machine)).flatMap((s) => s.timestamps);
    expect(new Set(times).size).toBe(times.length);
    expect(times.length).toBe(points.filter((p) => p.machineId === machine).length);
  }
  expect(samples(await vm.export(`{__name__="machine_state_operator_id",${ofMachines}}`), stateLabels)).toEqual(
    expectedStateSamples(points, (p) => p.operatorId),
  );
  expect(samples(await vm.export(`{__name__="machine_state_job_id",${ofMachines}}`), stateLabels)).toEqual(
    expectedStateSamples(points, (p) => p.jobId),
  );
}

/**
 * The relay ships rows in id order: per machine, a row with a higher id is never delivered before one
 * with a lower id (rows of one batch share a delivery time).
 */
async function expectDeliveredInIdOrderPerMachine(databaseUrl: string): Promise<void> {
  const rows = await query<{ machineId: number; id: string; deliveredAt: Date | null }>(
    databaseUrl,
    `SELECT "machineId", id::text AS id, "deliveredAt" FROM influx_outbox o ORDER BY "machineId", o.id`,
  );
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.filter((r) => r.deliveredAt === null)).toEqual([]);
  for (let i = 1; i < rows.length; i++) {
    const [previous, row] = [rows[i - 1]!, rows[i]!];
    if (previous.machineId === row.machineId && row.deliveredAt!.getTime() < previous.deliveredAt!.getTime()) {
      throw new Error(`machine ${row.machineId}: row ${row.id} was delivered before row ${previous.id}`);
    }
  }
}

/** Straight to Postgres, for when no app is running. */
async function query<T>(databaseUrl: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}
const pendingRows = async (databaseUrl: string) =>
  (await query<{ n: number }>(databaseUrl, `SELECT count(*)::int AS n FROM influx_outbox WHERE "deliveredAt" IS NULL`))[0]!.n;

const haveVictoriaMetrics = optionalPrerequisite(VICTORIA_METRICS);

describe.skipIf(!haveVictoriaMetrics)(
  `InfluxDB outbox relay against victoria-metrics${haveVictoriaMetrics ? '' : ' (skipped: victoria-metrics is not installed)'}`,
  () => {
    let vm: VictoriaMetrics;
    let app: TestApp;
    let databaseUrl: string;
    const sent: StateChangePoint[] = [];

    beforeAll(async () => {
      vm = await VictoriaMetrics.create();
      app = await startTestApp({ env: influxEnv(vm.url) });
      databaseUrl = app.databaseUrl;
    });
    afterAll(async () => {
      await app?.stop();
      await vm?.dispose();
    });

    it('delivers 500 state changes over 5 machines and production records with exact values and timestamps', async () => {
      // As ingest would: single events and batches.
      await enqueue(app, stateChanges(100), 1, sent);
      await enqueue(app, stateChanges(400), 50, sent);

      const records: ProductionPoint[] = MACHINES.flatMap((machineId, i) => [
        {
          machineId,
          from: new Date(base + 60_000 + i),
          to: new Date(base + 60_000 + i),
          good: 3 + i,
          rejects: i,
          jobId: 7,
          jobNumber: 'J-7',
          source: 'api',
        },
        {
          machineId,
          from: new Date(base + 120_000),
          to: new Date(base + 180_500 + i),
          good: 40 + i,
          rejects: 2,
          jobId: null,
          source: 'device',
        },
      ]);
      await app.dataSource.transaction((tx) => app.outbox.enqueueProduction(tx, records));
      app.outbox.notifyCommitted();

      await expectStatePointsInVictoria(vm, sent);
      const production = await waitFor(
        'production points',
        () => vm.export('{__name__=~"production_(good|rejects|span_seconds|job_id)"}'),
        (series) => series.reduce((n, s) => n + s.timestamps.length, 0) >= records.length * 3 + records.filter((r) => r.jobId).length,
      );
      const expected = records
        .flatMap((r) => [
          `production_good|${r.machineId}|${r.to.getTime()}|${r.good}`,
          `production_rejects|${r.machineId}|${r.to.getTime()}|${r.rejects}`,
          `production_span_seconds|${r.machineId}|${r.to.getTime()}|${(r.to.getTime() - r.from.getTime()) / 1000}`,
          ...(r.jobId ? [`production_job_id|${r.machineId}|${r.to.getTime()}|${r.jobId}`] : []),
        ])
        .sort();
      expect(samples(production, ['__name__', 'machine_id'])).toEqual(expected);

      await waitFor(
        'an empty outbox',
        () => health(app),
        (h) => h.outbox?.pending === 0,
      );
      expect(await health(app)).toMatchObject({ status: 'ok', database: 'ok', influx: 'ok', outbox: { pending: 0, oldestSeconds: 0 } });
      await expectDeliveredInIdOrderPerMachine(databaseUrl);
    }, 120_000);

    it('ships events and counts accepted over HTTP', async () => {
      const c = await clientsForRoles(app.url, ADMIN_PASSWORD);
      const machineId = (await c.admin.post('/api/v1/machines', { name: 'Influx M1' })).body.id as number;
      const t0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
      const events = [
        { machineId, at: new Date(t0).toISOString(), activityCodeId: 2 },
        { machineId, at: new Date(t0 + 60_250).toISOString(), activityCodeId: 3 },
      ];
      expect((await c.device.post('/api/v1/events', { events })).status).toBe(200);
      const count = { good: 12, rejects: 1, from: new Date(t0).toISOString(), to: new Date(t0 + 30_000).toISOString() };
      expect((await c.device.post(`/api/v1/machines/${machineId}/production`, count)).status).toBe(201);

      const state = await waitFor(
        'the HTTP events in victoria-metrics',
        () => vm.export(`{__name__="machine_state_running",machine_id="${machineId}"}`),
        (series) => series.reduce((n, s) => n + s.timestamps.length, 0) >= 2,
      );
      expect(samples(state, stateLabels)).toEqual([
        `${machineId}|2|unplanned_stop|${t0}|0`,
        `${machineId}|3|planned_shutdown|${t0 + 60_250}|0`,
      ]);
      const good = await waitFor(
        'the HTTP count in victoria-metrics',
        () => vm.export(`{__name__="production_good",machine_id="${machineId}"}`),
        (series) => series.length > 0,
      );
      expect(samples(good, ['machine_id'])).toEqual([`${machineId}|${t0 + 30_000}|12`]);
    }, 60_000);

    it('keeps every point through an outage and an app restart, then delivers each once, in order per machine', async () => {
      await waitFor(
        'an empty outbox',
        () => health(app),
        (h) => h.outbox?.pending === 0,
      );
      await vm.stop();

      // More than one relay batch (1 000 rows) piles up, so the order across batches is put to the test.
      const during: StateChangePoint[] = [];
      await enqueue(app, stateChanges(1_200), 100, during);
      const degraded = await waitFor(
        'health to show the outage and the lag',
        () => health(app),
        (h) => h.status === 'degraded' && h.influx === 'unavailable' && h.outbox?.pending === 1_200,
      );
      expect(degraded).toMatchObject({ database: 'ok', outbox: { pending: 1_200 } });
      expect(degraded.outbox!.oldestSeconds).toBeGreaterThanOrEqual(0);

      // The app restarts while InfluxDB is still down: the pending rows stay in the table.
      await app.stop();
      expect(await pendingRows(databaseUrl)).toBe(1_200);
      app = await startTestApp({ databaseUrl, env: influxEnv(vm.url) });
      await enqueue(app, stateChanges(50), 1, during);
      await enqueue(app, stateChanges(1_250), 50, during);
      await waitFor(
        'the restarted app to see the outage',
        () => health(app),
        (h) => h.status === 'degraded' && h.influx === 'unavailable' && h.outbox?.pending === 2_500,
      );

      await vm.start();
      await waitFor(
        'the backlog to drain',
        () => health(app),
        (h) => h.status === 'ok' && h.influx === 'ok' && h.outbox?.pending === 0,
      );
      sent.push(...during);
      await expectStatePointsInVictoria(vm, sent);
      await expectDeliveredInIdOrderPerMachine(databaseUrl);
    }, 180_000);

    it('relays from two instances at once without duplicates or reordering', async () => {
      const second = await startTestApp({ databaseUrl, env: influxEnv(vm.url) });
      try {
        const points = stateChanges(300);
        for (let i = 0; i < points.length; i += 20) {
          await enqueue(i % 40 ? second : app, points.slice(i, i + 20), 20, sent);
        }
        await waitFor(
          'the outbox to drain',
          () => health(second),
          (h) => h.outbox?.pending === 0,
        );
      } finally {
        await second.stop();
      }
      await expectStatePointsInVictoria(vm, sent);
      await expectDeliveredInIdOrderPerMachine(databaseUrl);
    }, 120_000);

    it('ships what is pending before stop() returns', async () => {
      const points = stateChanges(200);
      await app.dataSource.transaction((tx) => app.outbox.enqueueStateChange(tx, points));
      sent.push(...points);
      await app.stop();
      expect(await pendingRows(databaseUrl)).toBe(0);
      await expectStatePointsInVictoria(vm, sent);
    }, 60_000);

    it('prunes delivered rows older than the cut-off and never pending ones', async () => {
      app = await startTestApp({ databaseUrl, env: influxEnv(vm.url) });
      const total = (await query<{ n: number }>(databaseUrl, 'SELECT count(*)::int AS n FROM influx_outbox'))[0]!.n;
      // Pending rows are never pruned, however old.
      await vm.stop();
      await enqueue(app, stateChanges(5), 5, []);
      expect(await app.outbox.pruneDelivered(new Date(Date.now() + 60_000), 100)).toBe(total);
      expect(await pendingRows(databaseUrl)).toBe(5);
      expect((await query<{ n: number }>(databaseUrl, 'SELECT count(*)::int AS n FROM influx_outbox'))[0]!.n).toBe(5);
      await vm.start();
    }, 60_000);
  },
);

describe('without INFLUX_URL', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.stop());

  it('writes no outbox rows and reports influx as disabled', async () => {
    await app.dataSource.transaction(async (tx) => {
      await app.outbox.enqueueStateChange(tx, stateChanges(10));
      await app.outbox.enqueueProduction(tx, { machineId: 1, from: new Date(base), to: new Date(base), good: 1, rejects: 0 });
    });
    const c = await clientsForRoles(app.url, ADMIN_PASSWORD);
    const machineId = (await c.admin.post('/api/v1/machines', { name: 'No Influx' })).body.id as number;
    expect((await c.device.post('/api/v1/events', { events: [{ machineId, activityCodeId: 2 }] })).status).toBe(200);
    expect((await c.device.post(`/api/v1/machines/${machineId}/production`, { good: 1, rejects: 0 })).status).toBe(201);

    expect(await app.dataSource.query('SELECT count(*)::int AS n FROM influx_outbox')).toEqual([{ n: 0 }]);
    expect(await health(app)).toEqual({ status: 'ok', database: 'ok', influx: 'disabled' });
  });
});

describe('a point the server refuses', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.stop());

  it('is isolated by halving the batch and dropped alone; every other point goes out once, in order', async () => {
    const outbox = new OutboxRepository(app.dataSource, { enabled: true });
    await app.dataSource.transaction((tx) => outbox.enqueueStateChange(tx, stateChanges(50)));
    const poisoned = ((await app.dataSource.query(`SELECT (min(id) + 20)::text AS id FROM influx_outbox`)) as { id: string }[])[0]!.id;
    const written: string[] = [];
    let refusals = 0;
    const writer: PointWriter = {
      async write(rows: readonly OutboxRow[]) {
        if (rows.some((r) => r.id === poisoned)) {
          refusals++;
          throw new InfluxWriteError('rejected', 'partial write: field type conflict', 400);
        }
        written.push(...rows.map((r) => r.id));
        return { written: rows.length, invalid: [] };
      },
      close: async () => undefined,
    };
    const relay = new OutboxRelay(
      { dataSource: app.dataSource, outbox, writer, logger: pino({ level: 'silent' }) },
      { batchSize: 16, pollIntervalMs: 50 },
    ).start();
    try {
      await waitFor(
        'the outbox to drain',
        () => outbox.lag(),
        (lag) => lag.pending === 0,
        20_000,
      );
    } finally {
      await relay.stop();
    }
    const all = ((await app.dataSource.query(`SELECT o.id::text AS id FROM influx_outbox o ORDER BY o.id`)) as { id: string }[]).map(
      (r) => r.id,
    );
    expect(written).toEqual(all.filter((id) => id !== poisoned));
    expect(refusals).toBeGreaterThanOrEqual(4); // 16 → 8 → 4 → 2 → 1
    expect(relay.influxStatus).toBe('ok');
  });
});
