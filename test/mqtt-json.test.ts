import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { ApiClient } from './support/http-client.js';
import { deviceClient, startAedes, until, type TestBroker } from './support/mqtt-broker.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 21: plain JSON devices over MQTT, against a real broker (aedes in this process). Every message goes
 * through the services HTTP uses; a redelivered message changes nothing; a broker restart loses nothing.
 */
const DAY = '2026-11-24';
const t = (hhmm: string) => `${DAY}T${hhmm}:00.000Z`;
const UP = 1;
const DOWN = 2;
const clock = new FixedClock(new Date(t('12:00')));

let broker: TestBroker;
let app: TestApp;
let admin: ApiClient;
let device: MqttClient;
let machineId: number;

beforeAll(async () => {
  broker = await startAedes();
  app = await startTestApp({ clock, env: { MQTT_URL: broker.url, MQTT_CLIENT_ID: 'oee-json-test' } });
  admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
  machineId = (await admin.post('/api/v1/machines', { name: 'Press-1' })).body.id as number;
  device = await deviceClient(broker.url, { clientId: 'press-device' });
});

afterAll(async () => {
  await device?.endAsync();
  await app?.stop();
  await broker?.stop();
});

const timeline = async () =>
  (
    (await admin.get(`/api/v1/machines/${machineId}/timeline?from=${t('07:00')}&to=${t('12:00')}`)).body.intervals as {
      start: string;
      end: string | null;
      activityCodeId: number;
    }[]
  ).map((i) => [i.start.slice(11, 16), i.end?.slice(11, 16) ?? null, i.activityCodeId]);

const production = async () =>
  (
    (await app.dataSource.query(
      `SELECT to_char("to" AT TIME ZONE 'UTC', 'HH24:MI') AS at, good, rejects, source FROM production_records WHERE "machineId" = $1 ORDER BY "to", id`,
      [machineId],
    )) as { at: string; good: number; rejects: number; source: string }[]
  ).map((p) => [p.at, p.good, p.rejects, p.source]);

const eventCount = async () =>
  Number((await app.dataSource.query(`SELECT count(*) AS n FROM state_events WHERE "machineId" = $1`, [machineId]))[0].n);

const send = (topic: string, body: unknown, options: { dup?: boolean } = {}) =>
  device.publishAsync(topic, JSON.stringify(body), { qos: 1, ...options });

describe('MQTT with plain JSON payloads', () => {
  it('shows the connection in the health report', async () => {
    const health = await until(
      async () => (await admin.get('/api/v1/health')).body,
      (h) => h.mqtt === 'connected',
      'connected',
    );
    expect(health).toEqual({ status: 'ok', database: 'ok', influx: 'disabled', mqtt: 'connected' });
  });

  it('maps a topic level to the machine by name, states through the code table, cumulative counters with a reset', async () => {
    const created = await admin.post('/api/v1/mqtt/mappings', {
      name: 'Presses',
      topicFilter: 'factory/+/status',
      machineLevel: 1,
      rules: {
        format: 'json',
        statePath: 'state',
        stateCodes: { RUN: UP, STOP: DOWN },
        timePath: 'ts',
        goodPath: 'count.good',
        rejectPath: 'count.bad',
        counts: 'counter',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: created.body.id,
      name: 'Presses',
      enabled: true,
      topicFilter: 'factory/+/status',
      machineId: null,
      machineLevel: 1,
      noSignalCodeId: null,
      rules: {
        format: 'json',
        statePath: 'state',
        stateCodes: { RUN: UP, STOP: DOWN },
        timePath: 'ts',
        goodPath: 'count.good',
        rejectPath: 'count.bad',
        counts: 'counter',
      },
    });
    expect((await admin.post(`/api/v1/machines/${machineId}/jobs`, { jobNumber: 'J-1', at: t('08:00') })).status).toBe(201);
    // The subscriber follows the new mapping: wait until a first message is taken.
    await until(
      async () => {
        await send('factory/Press-1/status', { state: 'STOP', ts: t('08:10'), count: { good: 100, bad: 4 } });
        return eventCount();
      },
      (n) => n >= 2,
      'the mapping is subscribed',
    );
    await send('factory/Press-1/status', { state: 'RUN', ts: t('08:20'), count: { good: 100, bad: 4 } });
    await send('factory/Press-1/status', { state: 'RUN', ts: t('08:30'), count: { good: 110, bad: 5 } });
    await send('factory/Press-1/status', { state: 'STOP', ts: t('08:40'), count: { good: 125, bad: 5 } });
    // The counter restarted (a power cycle): 3 good since.
    await send('factory/Press-1/status', { state: 'RUN', ts: t('08:50'), count: { good: 3, bad: 0 } });
    // Unknown machines and values are ignored; a payload that is not JSON too.
    await send('factory/Nobody/status', { state: 'RUN', ts: t('08:55') });
    await send('factory/Press-1/status', { state: 'WARMUP', ts: t('08:56') });
    await device.publishAsync('factory/Press-1/status', 'not json', { qos: 1 });
    await send('factory/Press-1/status', { state: 'STOP', ts: t('09:00') });

    const expected = [
      ['08:00', '08:10', UP],
      ['08:10', '08:20', DOWN],
      ['08:20', '08:40', UP],
      ['08:40', '08:50', DOWN],
      ['08:50', '09:00', UP],
      ['09:00', null, DOWN],
    ];
    expect(await until(timeline, (tl) => JSON.stringify(tl) === JSON.stringify(expected), 'the timeline')).toEqual(expected);
    expect(await production()).toEqual([
      ['08:30', 10, 1, 'mqtt'],
      ['08:40', 15, 0, 'mqtt'],
      ['08:50', 3, 0, 'mqtt'],
    ]);
    const senders = await app.dataSource.query(
      `SELECT DISTINCT source, sender FROM state_events WHERE "machineId" = $1 AND source = 'mqtt'`,
      [machineId],
    );
    expect(senders).toEqual([{ source: 'mqtt', sender: `mqtt:${created.body.id}` }]);
  });

  it('a redelivered message (QoS 1, dup) changes nothing', async () => {
    const before = { timeline: await timeline(), production: await production(), events: await eventCount() };
    await send('factory/Press-1/status', { state: 'RUN', ts: t('08:30'), count: { good: 110, bad: 5 } }, { dup: true });
    await send('factory/Press-1/status', { state: 'STOP', ts: t('08:40'), count: { good: 125, bad: 5 } }, { dup: true });
    // A marker after them: once it is in, the redeliveries before it were handled (one message at a time, in order).
    await send('factory/Press-1/status', { state: 'STOP', ts: t('09:05') });
    await until(eventCount, (n) => n === before.events + 1, 'the marker');
    expect(await timeline()).toEqual(before.timeline);
    expect(await production()).toEqual(before.production);
  });

  it('increments, a fixed machine, a time in seconds; a mapping edit is followed at once', async () => {
    const other = (await admin.post('/api/v1/machines', { name: 'Lathe' })).body.id as number;
    const mapping = await admin.post('/api/v1/mqtt/mappings', {
      name: 'Lathe counts',
      topicFilter: 'lathe/#',
      machineId: other,
      rules: { format: 'json', goodPath: 'g', timePath: 't', counts: 'increment' },
    });
    expect(mapping.status).toBe(201);
    const at = Date.parse(t('10:00')) / 1000;
    await until(
      async () => {
        await send('lathe/counts', { g: 2, t: at });
        return app.dataSource.query(`SELECT good FROM production_records WHERE "machineId" = $1`, [other]);
      },
      (rows: unknown[]) => rows.length > 0,
      'the lathe mapping is subscribed',
    );
    // Each distinct message counts; the same message again (same payload) is one message.
    await send('lathe/counts', { g: 3, t: at + 60 });
    await send('lathe/counts', { g: 3, t: at + 60 });
    await send('lathe/counts', { g: 1, t: at + 120 });
    const rows = await until(
      () =>
        app.dataSource.query(`SELECT sum(good)::int AS good, count(*)::int AS n FROM production_records WHERE "machineId" = $1`, [other]),
      (r: { good: number }[]) => r[0]!.good >= 6,
      'the lathe counts',
    );
    expect(rows).toEqual([{ good: 6, n: 3 }]);

    const edited = await admin.put(`/api/v1/mqtt/mappings/${mapping.body.id}`, { ...mapping.body, id: undefined, enabled: false });
    expect(edited.status).toBe(200);
    expect(edited.body.enabled).toBe(false);
    const audit = await app.dataSource.query(`SELECT action FROM audit_log WHERE entity = 'mqtt-mapping' ORDER BY id`);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['mqtt-mapping.create', 'mqtt-mapping.create', 'mqtt-mapping.update']);
    // Disabled: its messages are no longer read.
    const events = await eventCount();
    await send('lathe/counts', { g: 5, t: at + 180 });
    await send('factory/Press-1/status', { state: 'STOP', ts: t('09:06') });
    await until(eventCount, (n) => n === events + 1, 'the marker');
    expect(await app.dataSource.query(`SELECT sum(good)::int AS good FROM production_records WHERE "machineId" = $1`, [other])).toEqual([
      { good: 6 },
    ]);
  });

  it('a state and its counts are one write; a refused state does not lose its counts', async () => {
    const mill = (await admin.post('/api/v1/machines', { name: 'Mill-2' })).body.id as number;
    const mapping = await admin.post('/api/v1/mqtt/mappings', {
      name: 'Mill',
      topicFilter: 'mill/status',
      machineId: mill,
      rules: { format: 'json', statePath: 's', stateCodes: { RUN: UP, STOP: DOWN }, timePath: 'ts', goodPath: 'g', counts: 'increment' },
    });
    expect(mapping.status).toBe(201);
    const millEvents = async () =>
      (
        (await app.dataSource.query(
          `SELECT to_char(at AT TIME ZONE 'UTC', 'HH24:MI') AS at, "activityCodeId" AS code FROM state_events WHERE "machineId" = $1 ORDER BY at, id`,
          [mill],
        )) as { at: string; code: number }[]
      ).map((e) => [e.at, e.code]);
    const millCounts = async () =>
      (
        (await app.dataSource.query(
          `SELECT to_char("to" AT TIME ZONE 'UTC', 'HH24:MI') AS at, good, "jobId" FROM production_records WHERE "machineId" = $1 ORDER BY "to", id`,
          [mill],
        )) as { at: string; good: number; jobId: number | null }[]
      ).map((p) => [p.at, p.good, p.jobId]);
    // No job: running is refused (an Up needs a job), its 4 parts are kept, without a job.
    await until(
      async () => {
        await send('mill/status', { s: 'RUN', g: 4, ts: t('08:00') });
        return millCounts();
      },
      (rows) => rows.length > 0,
      'the mill mapping is subscribed',
    );
    expect(await millEvents()).toEqual([]);
    expect(await millCounts()).toEqual([['08:00', 4, null]]);
    // With a job: the state and its parts, the parts in the job the state runs in.
    const job = await admin.post(`/api/v1/machines/${mill}/jobs`, { jobNumber: 'M-1', idealCycleTimeSeconds: 30, at: t('08:30') });
    expect(job.status).toBe(201);
    const [{ id: jobId }] = await app.dataSource.query(`SELECT id FROM jobs WHERE "machineId" = $1`, [mill]);
    await send('mill/status', { s: 'STOP', g: 2, ts: t('09:00') });
    await send('mill/status', { s: 'RUN', g: 5, ts: t('09:10') });
    await send('mill/status', { s: 'STOP', ts: t('09:20') });
    await until(millEvents, (rows) => rows.some(([at]) => at === '09:20'), 'the mill messages');
    expect((await millEvents()).filter(([at]) => at !== '08:30')).toEqual([
      ['09:00', DOWN],
      ['09:10', UP],
      ['09:20', DOWN],
    ]);
    expect(await millCounts()).toEqual([
      ['08:00', 4, null],
      ['09:00', 2, jobId],
      ['09:10', 5, jobId],
    ]);
  });

  it('refuses bad mappings with a 400 naming the field, and only admins see them', async () => {
    const bad = await admin.post('/api/v1/mqtt/mappings', {
      name: 'Bad',
      topicFilter: 'a/#/b',
      machineId: machineId,
      machineLevel: 1,
      rules: { format: 'json', stateCodes: { RUN: 9999 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: { path: (string | number)[] }) => i.path.join('.')).sort()).toEqual(['machineId', 'topicFilter']);
    const unknownCode = await admin.post('/api/v1/mqtt/mappings', {
      name: 'Bad',
      topicFilter: 'a/b',
      machineId: machineId,
      rules: { format: 'json', statePath: 's', stateCodes: { RUN: 9999 } },
    });
    expect(unknownCode.status).toBe(400);
    expect(unknownCode.body.error.issues).toEqual([{ path: ['rules', 'stateCodes'], message: 'every value must be an activity code id' }]);
    const sparkplugElsewhere = await admin.post('/api/v1/mqtt/mappings', {
      name: 'Bad',
      topicFilter: 'a/b',
      machineId: machineId,
      rules: { format: 'sparkplug' },
    });
    expect(sparkplugElsewhere.status).toBe(400);
    expect((await new ApiClient(app.url).get('/api/v1/mqtt/mappings')).status).toBe(401);
  });

  it('a broker restart loses nothing it kept: messages queued for the offline subscriber arrive when it is back', async () => {
    const before = await eventCount();
    // The subscriber goes away; its persistent session stays with the broker, which queues what follows.
    await app.stop();
    await send('factory/Press-1/status', { state: 'RUN', ts: t('09:10') });
    await send('factory/Press-1/status', { state: 'STOP', ts: t('09:20'), count: { good: 13, bad: 1 } });
    await broker.restart();
    app = await startTestApp({ databaseUrl: app.databaseUrl, clock, env: { MQTT_URL: broker.url, MQTT_CLIENT_ID: 'oee-json-test' } });
    admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
    await until(eventCount, (n) => n === before + 2, 'the queued messages');
    expect((await timeline()).slice(-3)).toEqual([
      ['09:00', '09:10', DOWN],
      ['09:10', '09:20', UP],
      ['09:20', null, DOWN],
    ]);
    // A message's state is written before its counts: wait for those too.
    expect((await until(production, (p) => p.length === 4, 'the queued counts')).slice(-1)).toEqual([['09:20', 10, 1, 'mqtt']]);
  });
});
