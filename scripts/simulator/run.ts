import { connectAsync, type MqttClient } from 'mqtt';
import { systemClock, type Clock } from '../../core/clock.js';
import { simMachines, type SimCounts, type SimState, type SimStateChange } from './machine-model.js';

/** What `npm run simulate` drives (scripts/simulate.ts): set-up over the admin API, then HTTP or MQTT writes. */
export interface SimulatorOptions {
  url: string;
  username: string;
  password: string;
  machines: number;
  via: 'http' | 'mqtt';
  mqttUrl?: string;
  seed: number;
  /** Milliseconds between ticks. */
  tickMs: number;
  /** Simulate this many hours before now first (quickly), then go on live. */
  backfillHours: number;
  /** Stop after this many live ticks; unset: until stopped. */
  ticks?: number;
  log?: (line: string) => void;
  clock?: Clock;
}

const TOPIC = 'oee-sim';
const REASONS: { state: Exclude<SimState, 'RUN' | 'MICRO'>; name: string; category: string }[] = [
  { state: 'BREAKDOWN', name: 'Breakdown', category: 'unplanned_stop' },
  { state: 'MATERIAL', name: 'No material', category: 'unplanned_stop' },
  { state: 'SETUP', name: 'Setup', category: 'planned_stop' },
];

class Api {
  private cookie = '';
  constructor(private readonly base: string) {}
  async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(this.base + path, {
      method,
      headers: { 'content-type': 'application/json', ...(this.cookie ? { cookie: this.cookie } : {}) },
      ...(body !== undefined || method !== 'GET' ? { body: JSON.stringify(body ?? {}) } : {}),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie?.startsWith('oee_session=')) this.cookie = setCookie.split(';')[0]!;
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }
  async ok<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call<T>(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
}

/** Machines `Sim-01`…, the reason codes, a job on each, and (via MQTT) the mapping; returns the machine ids and codes. */
async function setUp(api: Api, options: SimulatorOptions, now: number) {
  await api.ok('POST', '/api/v1/session', { username: options.username, password: options.password });
  const machines = await api.ok<{ id: number; name: string }[]>('GET', '/api/v1/machines');
  const ids: number[] = [];
  for (let i = 0; i < options.machines; i++) {
    const name = `Sim-${String(i + 1).padStart(2, '0')}`;
    const found = machines.find((m) => m.name === name);
    ids.push(found ? found.id : (await api.ok<{ id: number }>('POST', '/api/v1/machines', { name })).id);
  }
  const codes = await api.ok<{ id: number; shortDescription: string }[]>('GET', '/api/v1/activity-codes');
  const codeOf: Record<SimState, number> = { RUN: 1, MICRO: 2, BREAKDOWN: 2, MATERIAL: 2, SETUP: 2 };
  for (const r of REASONS) {
    const found = codes.find((c) => c.shortDescription === r.name);
    codeOf[r.state] = found
      ? found.id
      : (
          await api.ok<{ id: number }>('POST', '/api/v1/activity-codes', {
            shortDescription: r.name,
            category: r.category,
            colour: '#CC6600',
          })
        ).id;
  }
  const jobStart = new Date(now - options.backfillHours * 3_600_000 - 60_000).toISOString();
  for (const id of ids) {
    const res = await api.call('POST', `/api/v1/machines/${id}/jobs`, {
      jobNumber: `SIM-${id}`,
      at: jobStart,
      eventId: `sim-job-${options.seed}-${id}`,
    });
    if (res.status >= 300 && res.status !== 409) throw new Error(`job on machine ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  if (options.via === 'mqtt') {
    const mappings = await api.ok<{ id: number; name: string }[]>('GET', '/api/v1/mqtt/mappings');
    if (!mappings.some((m) => m.name === 'Simulator')) {
      await api.ok('POST', '/api/v1/mqtt/mappings', {
        name: 'Simulator',
        topicFilter: `${TOPIC}/+/data`,
        machineLevel: 1,
        rules: {
          format: 'json',
          statePath: 'state',
          stateCodes: codeOf,
          timePath: 'ts',
          goodPath: 'good',
          rejectPath: 'rejects',
          counts: 'counter',
        },
      });
    }
  }
  return { ids, codeOf };
}

/** Runs the simulator; resolves after `ticks` live ticks (or never, without): the messages or requests sent, and each machine's parts. */
export async function runSimulator(
  options: SimulatorOptions,
): Promise<{ sent: number; totals: { machineId: number; good: number; rejects: number }[] }> {
  const log = options.log ?? (() => undefined);
  const api = new Api(options.url.replace(/\/$/, ''));
  const clock = options.clock ?? systemClock;
  const now = clock.now().getTime();
  const start = now - options.backfillHours * 3_600_000;
  const { ids, codeOf } = await setUp(api, options, now);
  const sims = simMachines(options.machines, options.seed, start);
  const names = ids.map((_, i) => `Sim-${String(i + 1).padStart(2, '0')}`);
  let mqtt: MqttClient | null = null;
  if (options.via === 'mqtt') {
    if (!options.mqttUrl) throw new Error('--via mqtt needs --mqtt-url');
    mqtt = await connectAsync(options.mqttUrl, { clientId: `oee-simulator-${options.seed}` });
  }
  // The counters the server has been told (HTTP takes increments).
  const told = sims.map(() => ({ good: 0, rejects: 0 }));
  let sent = 0;
  const send = async (changes: SimStateChange[], counts: SimCounts[]) => {
    if (mqtt) {
      for (const c of changes)
        await mqtt.publishAsync(`${TOPIC}/${names[c.machine]}/data`, JSON.stringify({ state: c.state, ts: c.at }), { qos: 1 });
      for (const c of counts)
        await mqtt.publishAsync(`${TOPIC}/${names[c.machine]}/data`, JSON.stringify({ good: c.good, rejects: c.rejects, ts: c.at }), {
          qos: 1,
        });
      sent += changes.length + counts.length;
      return;
    }
    if (changes.length) {
      const events = changes.map((c) => ({
        machineId: ids[c.machine],
        at: new Date(c.at).toISOString(),
        activityCodeId: codeOf[c.state],
        eventId: `sim-${options.seed}-${c.machine}-${c.at}`,
      }));
      await api.ok('POST', '/api/v1/events', { events });
      sent++;
    }
    for (const c of counts) {
      const good = c.good - told[c.machine]!.good;
      const rejects = c.rejects - told[c.machine]!.rejects;
      await api.ok('POST', `/api/v1/machines/${ids[c.machine]}/production`, {
        good,
        rejects,
        at: new Date(c.at).toISOString(),
        eventId: `sim-${options.seed}-${c.machine}-p${c.at}`,
      });
      told[c.machine] = { good: c.good, rejects: c.rejects };
      sent++;
    }
  };
  const step = async (to: number) => {
    const results = sims.map((s) => s.advance(to));
    await send(
      results.flatMap((r) => r.changes),
      results.flatMap((r) => (r.counts ? [r.counts] : [])),
    );
  };
  // The initial state (and, via MQTT, the counters' zero: a counter's first value is only a baseline), then the
  // backfill in one-minute steps.
  await send(
    sims.map((s) => ({ machine: s.index, at: start, state: s.state })),
    mqtt ? sims.map((s) => ({ machine: s.index, at: start, good: 0, rejects: 0 })) : [],
  );
  for (let t = start + 60_000; t < now; t += 60_000) await step(t);
  log(
    `simulating ${options.machines} machines via ${options.via}${options.backfillHours ? `, ${options.backfillHours} h backfilled` : ''}`,
  );
  for (let tick = 0; options.ticks === undefined || tick < options.ticks; tick++) {
    await step(clock.now().getTime());
    if (options.ticks === undefined || tick < options.ticks - 1) await new Promise((r) => setTimeout(r, options.tickMs));
  }
  await mqtt?.endAsync();
  return { sent, totals: sims.map((s, i) => ({ machineId: ids[i]!, good: s.good, rejects: s.rejects })) };
}
