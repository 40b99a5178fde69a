import { Writable } from 'node:stream';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { decodeSparkplug, encodeSparkplug } from '../ingest/mqtt/sparkplug-codec.js';
import { ApiClient } from './support/http-client.js';
import { deviceClient, startAedes, until, type TestBroker } from './support/mqtt-broker.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 21: Sparkplug B edge nodes over a real broker (aedes in this process): births give the aliases, data
 * the states and counters, NDEATH (the broker's last will) and DDEATH put the machines in the built-in No data state,
 * gaps in the sequence are logged, a gap or data by an unknown alias asks the node to rebirth (NCMD, at most
 * once per 30 s), and a redelivery changes nothing.
 */
const DAY = '2026-11-24';
const t = (hhmm: string) => `${DAY}T${hhmm}:00.000Z`;
const ms = (hhmm: string) => Date.parse(t(hhmm));
const UP = 1;
const DOWN = 2;
const clock = new FixedClock(new Date(t('10:00')));

let broker: TestBroker;
let app: TestApp;
let admin: ApiClient;
let edge: MqttClient;
const machines: Record<string, number> = {};
const logLines: { msg: string; expected?: number; got?: number }[] = [];
/** The NCMDs the edge node received: [topic, metric name, value]. */
const commands: [string, string | null, unknown][] = [];

const NODE = 'spBv1.0/plant/%s/edge1';
const MAPPING = {
  name: 'Edge 1',
  topicFilter: 'spBv1.0/plant/+/edge1/#',
  machineLevel: 4,
  rules: {
    format: 'sparkplug',
    stateMetric: 'Status/Running',
    stateCodes: { true: UP, false: DOWN },
    goodMetric: 'Counts/Good',
    rejectMetric: 'Counts/Reject',
  },
};
let mappingId: number;
const topic = (type: string, device?: string) => NODE.replace('%s', type) + (device ? `/${device}` : '');

beforeAll(async () => {
  broker = await startAedes();
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  app = await startTestApp({
    clock,
    env: { MQTT_URL: broker.url, MQTT_CLIENT_ID: 'oee-sparkplug-test' },
    logger: pino({ level: 'warn' }, sink),
  });
  admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
  for (const name of ['press-a', 'press-b']) {
    machines[name] = (await admin.post('/api/v1/machines', { name })).body.id as number;
    expect((await admin.post(`/api/v1/machines/${machines[name]}/jobs`, { jobNumber: `J-${name}`, at: t('08:00') })).status).toBe(201);
  }
  const mapping = await admin.post('/api/v1/mqtt/mappings', MAPPING);
  expect(mapping.status).toBe(201);
  mappingId = mapping.body.id as number;
  await until(
    async () => (await admin.get('/api/v1/health')).body.mqtt,
    (s) => s === 'connected',
    'connected',
  );
  // The edge node: its death certificate is the broker's last will.
  edge = await deviceClient(broker.url, {
    clientId: 'edge1',
    reconnectPeriod: 0,
    will: {
      topic: topic('NDEATH'),
      payload: Buffer.from(encodeSparkplug({ metrics: [{ name: 'bdSeq', type: 'UInt64', value: 0 }] })),
      qos: 1,
      retain: false,
    },
  });
  edge.on('message', (topic, payload) => {
    for (const m of decodeSparkplug(payload)?.metrics ?? []) commands.push([topic, m.name, m.value]);
  });
  await edge.subscribeAsync('spBv1.0/plant/NCMD/edge1', { qos: 0 });
});

afterAll(async () => {
  await edge?.endAsync(true);
  await app?.stop();
  await broker?.stop();
});

const timeline = async (name: string) =>
  (
    (await admin.get(`/api/v1/machines/${machines[name]}/timeline?from=${t('07:00')}&to=${t('13:00')}`)).body.intervals as {
      start: string;
      end: string | null;
      activityCodeId: number;
    }[]
  ).map((i) => [i.start.slice(11, 16), i.end?.slice(11, 16) ?? null, i.activityCodeId]);

const production = async (name: string) =>
  (
    (await app.dataSource.query(
      `SELECT to_char("to" AT TIME ZONE 'UTC', 'HH24:MI') AS at, good, rejects FROM production_records WHERE "machineId" = $1 ORDER BY "to", id`,
      [machines[name]],
    )) as { at: string; good: number; rejects: number }[]
  ).map((p) => [p.at, p.good, p.rejects]);

const eventCount = async () => Number((await app.dataSource.query(`SELECT count(*) AS n FROM state_events WHERE source = 'mqtt'`))[0].n);

type Metric = { name?: string; alias?: number; type: string; value: unknown; timestamp?: number };
const send = (type: string, device: string | undefined, seq: number, at: string, metrics: Metric[], options: { dup?: boolean } = {}) =>
  edge.publishAsync(topic(type, device), Buffer.from(encodeSparkplug({ timestamp: ms(at), seq, metrics })), { qos: 1, ...options });

describe('MQTT with Sparkplug B', () => {
  it('births give the aliases; data by alias gives the timeline and the counters; a gap in seq is logged', async () => {
    await send('NBIRTH', undefined, 0, '08:05', [{ name: 'bdSeq', type: 'UInt64', value: 0 }]);
    await send('DBIRTH', 'press-a', 1, '08:10', [
      { name: 'Status/Running', alias: 1, type: 'Boolean', value: false },
      { name: 'Counts/Good', alias: 2, type: 'UInt64', value: 500 },
      { name: 'Counts/Reject', alias: 3, type: 'UInt32', value: 7 },
    ]);
    await send('DBIRTH', 'press-b', 2, '09:00', [
      { name: 'Status/Running', alias: 11, type: 'Boolean', value: true },
      { name: 'Counts/Good', alias: 12, type: 'UInt64', value: 40 },
    ]);
    await send('DDATA', 'press-a', 3, '08:20', [{ alias: 1, type: 'Boolean', value: true }]);
    await send('DDATA', 'press-a', 4, '08:30', [
      { alias: 2, type: 'UInt64', value: 520 },
      { alias: 3, type: 'UInt32', value: 8 },
    ]);
    // seq 5 never arrives.
    await send('DDATA', 'press-a', 6, '08:40', [{ alias: 1, type: 'Boolean', value: false }]);
    await send('DDATA', 'press-a', 7, '08:50', [{ alias: 1, type: 'Boolean', value: true }]);
    await send('DDATA', 'press-b', 8, '09:30', [{ alias: 12, type: 'UInt64', value: 45 }]);

    const expectedA = [
      ['08:00', '08:10', UP],
      ['08:10', '08:20', DOWN],
      ['08:20', '08:40', UP],
      ['08:40', '08:50', DOWN],
      ['08:50', null, UP],
    ];
    expect(
      await until(
        () => timeline('press-a'),
        (tl) => JSON.stringify(tl) === JSON.stringify(expectedA),
        'press-a',
      ),
    ).toEqual(expectedA);
    expect(
      await until(
        () => production('press-b'),
        (p) => p.length === 1,
        'press-b counts',
      ),
    ).toEqual([['09:30', 5, 0]]);
    expect(await production('press-a')).toEqual([['08:30', 20, 1]]);
    expect(await timeline('press-b')).toEqual([['08:00', null, UP]]);
    expect(logLines.filter((l) => l.msg.startsWith('Sparkplug B sequence gap')).map((l) => [l.expected, l.got])).toEqual([[5, 6]]);
    // The gap asks the node for its births again.
    expect(
      await until(
        async () => commands,
        (c) => c.length === 1,
        'the rebirth',
      ),
    ).toEqual([['spBv1.0/plant/NCMD/edge1', 'Node Control/Rebirth', true]]);
  });

  it('a redelivered DDATA changes nothing', async () => {
    const before = { a: await production('press-a'), events: await eventCount() };
    await send(
      'DDATA',
      'press-a',
      4,
      '08:30',
      [
        { alias: 2, type: 'UInt64', value: 520 },
        { alias: 3, type: 'UInt32', value: 8 },
      ],
      { dup: true },
    );
    await send('DDATA', 'press-a', 9, '09:40', [{ alias: 1, type: 'Boolean', value: true }]);
    await until(eventCount, (n) => n === before.events + 1, 'the marker');
    expect(await production('press-a')).toEqual(before.a);
  });

  it('data by an unknown alias asks for a rebirth, at most once per 30 s per node', async () => {
    const asked = () => logLines.filter((l) => l.msg === 'Sparkplug B Rebirth requested').length;
    // The redelivery above (seq 4 after 8, then 9) was a gap too: within 30 s of the first request, not asked again.
    expect(asked()).toBe(1);
    await send('DDATA', 'press-a', 10, '09:45', [{ alias: 99, type: 'Boolean', value: true }]);
    await until(
      async () => logLines.filter((l) => l.msg === 'Sparkplug B metric by an unknown alias').length,
      (n) => n === 1,
      'seen',
    );
    expect(asked()).toBe(1);
    clock.set(new Date(Date.parse(t('10:00')) + 30_000));
    await send('DDATA', 'press-a', 11, '09:46', [{ alias: 99, type: 'Boolean', value: true }]);
    expect(
      await until(
        async () => commands,
        (c) => c.length === 2,
        'the second rebirth',
      ),
    ).toEqual([
      ['spBv1.0/plant/NCMD/edge1', 'Node Control/Rebirth', true],
      ['spBv1.0/plant/NCMD/edge1', 'Node Control/Rebirth', true],
    ]);
    expect(asked()).toBe(2);
  });

  it('DDEATH puts its device in No data; the NDEATH of the last will puts every machine of the node in No data, on receipt', async () => {
    const [noData] = (await app.dataSource.query(
      `SELECT id, "shortDescription" AS name FROM activity_codes WHERE "builtIn" = 'no_data'`,
    )) as { id: number; name: string }[];
    expect(noData!.name).toBe('No data');
    const NO_DATA = noData!.id;
    clock.set(t('11:00'));
    const before = await eventCount();
    await send('DDEATH', 'press-b', 12, '10:59', []);
    await until(eventCount, (n) => n === before + 1, 'the DDEATH');
    expect(await timeline('press-b')).toEqual([
      ['08:00', '11:00', UP],
      ['11:00', null, NO_DATA],
    ]);
    clock.set(t('12:00'));
    // The edge node drops off the network: the broker publishes its will.
    edge.stream.destroy();
    const expectedA = [
      ['08:00', '08:10', UP],
      ['08:10', '08:20', DOWN],
      ['08:20', '08:40', UP],
      ['08:40', '08:50', DOWN],
      ['08:50', '12:00', UP],
      ['12:00', null, NO_DATA],
    ];
    expect(
      await until(
        () => timeline('press-a'),
        (tl) => JSON.stringify(tl) === JSON.stringify(expectedA),
        'press-a dead',
      ),
    ).toEqual(expectedA);
    expect(await timeline('press-b')).toEqual([
      ['08:00', '11:00', UP],
      ['11:00', null, NO_DATA],
    ]);
  });

  it("a mapping's own no-signal code wins over No data", async () => {
    const noSignal = (
      await admin.post('/api/v1/activity-codes', { shortDescription: 'No signal', category: 'unplanned_stop', colour: '#555555' })
    ).body.id as number;
    expect((await admin.put(`/api/v1/mqtt/mappings/${mappingId}`, { ...MAPPING, noSignalCodeId: noSignal })).status).toBe(200);
    // The node back, under a new connection.
    await edge.endAsync(true);
    edge = await deviceClient(broker.url, { clientId: 'edge1-again', reconnectPeriod: 0 });
    clock.set(t('12:30'));
    await send('NBIRTH', undefined, 0, '12:30', [{ name: 'bdSeq', type: 'UInt64', value: 1 }]);
    await send('DBIRTH', 'press-a', 1, '12:30', [{ name: 'Status/Running', alias: 1, type: 'Boolean', value: true }]);
    clock.set(t('12:45'));
    await send('DDEATH', 'press-a', 2, '12:45', []);
    const expected = [
      ['08:50', '12:00', UP],
      ['12:00', '12:30', 'no data'],
      ['12:30', '12:45', UP],
      ['12:45', null, noSignal],
    ];
    const [noData] = (await app.dataSource.query(`SELECT id FROM activity_codes WHERE "builtIn" = 'no_data'`)) as { id: number }[];
    const tail = async () => (await timeline('press-a')).slice(-4).map((i) => (i[2] === noData!.id ? [i[0], i[1], 'no data'] : i));
    expect(await until(tail, (tl) => JSON.stringify(tl) === JSON.stringify(expected), 'the no-signal code')).toEqual(expected);
  });
});
