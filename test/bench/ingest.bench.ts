import { ApiClient } from '../support/http-client.js';
import { failures, load, type LoadResult } from './load.js';
import { goal, type BenchCase, type BenchPart, type Goal, type Measure } from './parts.js';
import type { Target } from './target.js';

/** Issue 19 point 6 / docs/architecture.md#budgets: the write path. 10 machines with a running job each. */
interface IngestState {
  machineIds: number[];
  key: string;
}

const MACHINES = 10;
const BATCH = 1000;

/** Runs `work` and adds the CPU the server and its PostgreSQL spent on each request (each event with `per` > 1). */
async function withCpu(t: Target, per: { unit: string; of: number }, work: () => Promise<LoadResult>): Promise<[LoadResult, Measure[]]> {
  const [app, db] = [await t.cpuMs(), await t.pgCpuMs()];
  const r = await work();
  const [appUsed, dbUsed] = [(await t.cpuMs()) - app, (await t.pgCpuMs()) - db];
  const n = r.requests * per.of;
  const us = (ms: number) => (n > 0 ? Math.round((ms * 1000) / n) : NaN);
  return [
    r,
    [
      { metric: `server CPU per ${per.unit}`, value: us(appUsed), unit: 'µs' },
      { metric: `PostgreSQL CPU per ${per.unit}`, value: us(dbUsed), unit: 'µs' },
    ],
  ];
}

function writeFigures(r: LoadResult, rate: Goal, latency: { metric: 'p50' | 'p99'; goal: Goal }): Measure[] {
  return [
    { metric: 'requests/s', value: Math.round(r.rps), unit: '/s', goal: rate },
    { metric: latency.metric, value: r[latency.metric], unit: 'ms', goal: latency.goal },
    ...(latency.metric === 'p99' ? [] : [{ metric: 'p99', value: r.p99, unit: 'ms' }]),
    { metric: 'failed', value: failures(r), unit: 'req', goal: goal.atMost(0) },
  ];
}

function legacyCase(connections: number, rate: number, latency: { metric: 'p50' | 'p99'; goal: Goal }): BenchCase<IngestState> {
  return {
    name: `POST /api/machine-state-change, ${connections} conn`,
    shape: (o) =>
      `${MACHINES} machines with a running job, Up/Down by turns, anonymous (loopback), ${connections} connection${connections > 1 ? 's' : ''}, ${o.seconds} s`,
    async run(t, s, o) {
      const [r, cpu] = await withCpu(t, { unit: 'request', of: 1 }, () =>
        load({ url: t.url, connections, durationSeconds: o.seconds, kind: 'legacy', machineIds: s.machineIds }),
      );
      return [...writeFigures(r, goal.atLeast(rate), latency), ...cpu];
    },
  };
}

export const ingestBench: BenchPart<IngestState> = {
  name: 'ingest',
  async setup(t) {
    const admin = await new ApiClient(t.url).signIn('admin', t.adminPassword);
    const machineIds: number[] = [];
    for (let i = 0; i < MACHINES; i++) {
      const id = (await admin.post('/api/v1/machines', { name: `Bench ingest ${i}` })).body.id as number;
      const job = await admin.post(`/api/v1/machines/${id}/jobs`, { jobNumber: `BI-${i}`, idealCycleTimeSeconds: 30 });
      if (job.status !== 201) throw new Error(`starting a job: ${job.status} ${JSON.stringify(job.body)}`);
      machineIds.push(id);
    }
    const key = (await admin.post('/api/v1/api-keys', { name: 'bench-device', role: 'device' })).body.key as string;
    return { machineIds, key };
  },
  cases: [
    legacyCase(1, 600, { metric: 'p50', goal: goal.atMost(1.5) }),
    legacyCase(10, 3000, { metric: 'p99', goal: goal.atMost(20) }),
    legacyCase(50, 5000, { metric: 'p99', goal: goal.atMost(50) }),
    {
      name: 'POST /api/v1/events single, 50 conn',
      shape: (o) => `one event per request, ${MACHINES} machines with a running job, device key, 50 connections, ${o.seconds} s`,
      async run(t, s, o) {
        const [r, cpu] = await withCpu(t, { unit: 'request', of: 1 }, () =>
          load({ url: t.url, connections: 50, durationSeconds: o.seconds, kind: 'single', key: s.key, machineIds: s.machineIds }),
        );
        return [...writeFigures(r, goal.atLeast(5000), { metric: 'p99', goal: goal.atMost(50) }), ...cpu];
      },
    },
    {
      name: 'POST /api/v1/events batched',
      shape: (o) => `${BATCH} events per request (new event ids), ${MACHINES} machines, 4 connections, ${o.seconds} s`,
      async run(t, s, o, round) {
        const runId = `${Date.now()}-${round}`;
        const [r, cpu] = await withCpu(t, { unit: 'event', of: BATCH }, () =>
          load({
            url: t.url,
            connections: 4,
            durationSeconds: o.seconds,
            kind: 'batch',
            key: s.key,
            machineIds: s.machineIds,
            batchSize: BATCH,
            runId,
          }),
        );
        return [
          { metric: 'events/s', value: Math.round(r.rps * BATCH), unit: '/s', goal: goal.atLeast(50_000) },
          { metric: 'p99 per batch', value: r.p99, unit: 'ms' },
          { metric: 'failed', value: failures(r), unit: 'req', goal: goal.atMost(0) },
          ...cpu,
        ];
      },
    },
  ],
};
