import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { MACHINE_LOCK_NAMESPACE } from '../db/repositories/timeline.repository.js';
import { ApiClient } from './support/http-client.js';
import { deviceClient, startAedes, until, type TestBroker } from './support/mqtt-broker.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 21 point 2: the subscriber processes messages of different machines in parallel and each machine's
 * in order, and acknowledges each only once it is committed. Cumulative counters prove the order (a counter
 * taken out of order counts nothing, so the totals would be short); redeliveries count nothing; a machine
 * whose writes are held up does not hold up the others' commits, and loses nothing.
 */
const DAY = '2026-11-24';
const t = (hhmm: string) => `${DAY}T${hhmm}:00.000Z`;
const at = (minute: number) => new Date(Date.parse(t('08:00')) + minute * 60_000).toISOString();
const hhmm = (minute: number) => at(minute).slice(11, 16);
const UP = 1;
const DOWN = 2;
const MESSAGES = 30;
const NAMES = ['Line-A', 'Line-B', 'Line-C'];
const clock = new FixedClock(new Date(t('10:00')));

let broker: TestBroker;
let app: TestApp;
let admin: ApiClient;
const devices: MqttClient[] = [];
const machines: number[] = [];

beforeAll(async () => {
  broker = await startAedes();
  app = await startTestApp({ clock, env: { MQTT_URL: broker.url, MQTT_CLIENT_ID: 'oee-pipeline-test' } });
  admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
  for (const name of NAMES) {
    const id = (await admin.post('/api/v1/machines', { name })).body.id as number;
    expect((await admin.post(`/api/v1/machines/${id}/jobs`, { jobNumber: `J-${name}`, at: t('07:00') })).status).toBe(201);
    machines.push(id);
    devices.push(await deviceClient(broker.url, { clientId: `device-${name}` }));
  }
  const mapping = await admin.post('/api/v1/mqtt/mappings', {
    name: 'Lines',
    topicFilter: 'lines/+/data',
    machineLevel: 1,
    rules: { format: 'json', statePath: 's', stateCodes: { RUN: UP, STOP: DOWN }, timePath: 'ts', goodPath: 'good', counts: 'counter' },
  });
  expect(mapping.status).toBe(201);
  await until(
    async () => (await admin.get('/api/v1/health')).body.mqtt,
    (s) => s === 'connected',
    'connected',
  );
});

afterAll(async () => {
  for (const d of devices) await d.endAsync();
  await app?.stop();
  await broker?.stop();
});

const timeline = async (machineId: number) =>
  (
    (await admin.get(`/api/v1/machines/${machineId}/timeline?from=${t('07:00')}&to=${t('10:00')}`)).body.intervals as {
      start: string;
      end: string | null;
      activityCodeId: number;
    }[]
  ).map((i) => [i.start.slice(11, 16), i.end?.slice(11, 16) ?? null, i.activityCodeId]);

const production = async (machineId: number) =>
  (
    (await app.dataSource.query(
      `SELECT to_char("to" AT TIME ZONE 'UTC', 'HH24:MI') AS at, good FROM production_records WHERE "machineId" = $1 ORDER BY "to", id`,
      [machineId],
    )) as { at: string; good: number }[]
  ).map((p) => [p.at, p.good]);

const rows = async () =>
  Number(
    (
      await app.dataSource.query(
        `SELECT (SELECT count(*) FROM state_events WHERE source = 'mqtt') + (SELECT count(*) FROM production_records WHERE source = 'mqtt') AS n`,
      )
    )[0].n,
  );

/** Machine k's message i: RUN and STOP by turns from 08:00, a minute apart; its counter grows by k + 1 each time. */
const message = (k: number, i: number, offset = 0) => ({ s: i % 2 === 0 ? 'RUN' : 'STOP', ts: at(i + offset), good: 1000 + (k + 1) * i });

/** Every machine's messages, interleaved, without waiting for one before sending the next. */
const sendAll = (from: number, to: number, options: { dup?: boolean } = {}) =>
  Promise.all(
    NAMES.flatMap((name, k) =>
      Array.from({ length: to - from }, (_, j) =>
        devices[k]!.publishAsync(`lines/${name}/data`, JSON.stringify(message(k, from + j)), { qos: 1, ...options }),
      ),
    ),
  );

/** A job start records Up: the first RUN at 08:00 goes on from it. */
const timelineOf = (minutes: number[]) => {
  const code = (m: number) => (m % 2 === 0 ? UP : DOWN);
  // A repeat of the state goes on with the interval before it.
  const starts = minutes.filter((m, j) => j === 0 || code(m) !== code(minutes[j - 1]!));
  return starts.map((m, j) => [j === 0 ? '07:00' : hhmm(m), j === starts.length - 1 ? null : hhmm(starts[j + 1]!), code(m)]);
};
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const expectedTimeline = (n: number) => timelineOf(range(n));
// The first counter value is the baseline; every later one is k + 1 new parts.
const expectedProduction = (k: number, n: number) => Array.from({ length: n - 1 }, (_, i) => [hhmm(i + 1), k + 1]);

describe('MQTT ingest pipeline', () => {
  it('interleaved machines: each timeline and counter exact, as if processed one by one', async () => {
    await sendAll(0, MESSAGES);
    // Each message is a state event, and after the first a production record.
    await until(rows, (n) => n === NAMES.length * (2 * MESSAGES - 1), 'all committed', 30_000);
    for (const [k, id] of machines.entries()) {
      expect(await timeline(id)).toEqual(expectedTimeline(MESSAGES));
      expect(await production(id)).toEqual(expectedProduction(k, MESSAGES));
    }
  });

  it('redeliveries of every message, interleaved, count nothing twice', async () => {
    const before = await rows();
    await sendAll(0, MESSAGES, { dup: true });
    // A marker after them on each machine: once it is in, the redeliveries before it are done with.
    await sendAll(MESSAGES, MESSAGES + 1);
    await until(rows, (n) => n === before + 2 * NAMES.length, 'the markers', 30_000);
    for (const [k, id] of machines.entries()) {
      expect(await timeline(id)).toEqual(expectedTimeline(MESSAGES + 1));
      expect(await production(id)).toEqual(expectedProduction(k, MESSAGES + 1));
    }
  });

  it('a machine whose writes wait does not hold up the others; its own follow in order once it may write', async () => {
    const [a, b, c] = machines as [number, number, number];
    const before = await rows();
    // Hold machine A's write lock, as a long transaction of another writer would.
    const runner = app.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await runner.query('SELECT pg_advisory_xact_lock($1, $2)', [MACHINE_LOCK_NAMESPACE, a]);
    try {
      await devices[0]!.publishAsync('lines/Line-A/data', JSON.stringify(message(0, MESSAGES + 1)), { qos: 1 });
      await until(
        async () =>
          Number(
            (
              await app.dataSource.query(`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1`, [
                a,
              ])
            )[0].n,
          ),
        (n) => n === 1,
        'machine A waits for its lock',
      );
      await sendAll(MESSAGES + 2, MESSAGES + 4);
      // B and C commit while A waits (2 messages each: 2 state events and 2 production records).
      await until(rows, (n) => n === before + 2 * 4, 'B and C committed', 30_000);
      for (const id of [b, c]) expect((await timeline(id)).at(-1)).toEqual([hhmm(MESSAGES + 3), null, DOWN]);
      expect((await timeline(a)).at(-1)).toEqual([hhmm(MESSAGES), null, UP]);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    await until(rows, (n) => n === before + 2 * 7, 'A caught up', 30_000);
    const tail = (skip: number[]) => timelineOf(range(MESSAGES + 4).filter((m) => !skip.includes(m)));
    // A got MESSAGES + 1 (while held), then + 2 and + 3; B and C skipped + 1.
    expect(await timeline(a)).toEqual(tail([]));
    expect(await timeline(b)).toEqual(tail([MESSAGES + 1]));
    expect(await timeline(c)).toEqual(tail([MESSAGES + 1]));
    // Counters: A's three later readings each k + 1; B's and C's jump over the skipped one (2 × (k + 1)) once.
    expect((await production(a)).slice(MESSAGES)).toEqual([
      [hhmm(MESSAGES + 1), 1],
      [hhmm(MESSAGES + 2), 1],
      [hhmm(MESSAGES + 3), 1],
    ]);
    expect((await production(b)).slice(MESSAGES)).toEqual([
      [hhmm(MESSAGES + 2), 4],
      [hhmm(MESSAGES + 3), 2],
    ]);
  });
});
