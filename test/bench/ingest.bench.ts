import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ApiClient } from '../support/http-client.js';
import type { BenchPart } from './parts.js';

interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}

function load(options: Record<string, unknown>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./load-worker.mjs', import.meta.url)), [JSON.stringify(options)]);
    child.once('message', (m) => resolve(m as LoadResult));
    child.once('error', reject);
  });
}

/** docs/architecture.md: single state changes at 50 connections ≥ 5 000/s with p99 ≤ 50 ms; batches ≥ 50 000 events/s. */
export const ingestBench: BenchPart = {
  name: 'ingest',
  async run({ app, adminPassword }) {
    const admin = await new ApiClient(app.url).signIn('admin', adminPassword);
    const machineIds: number[] = [];
    for (let i = 0; i < 50; i++) machineIds.push((await admin.post('/api/v1/machines', { name: `Bench ingest ${i}` })).body.id);
    const key = (await admin.post('/api/v1/api-keys', { name: 'bench-device', role: 'device' })).body.key as string;

    const single = await load({ url: app.url, connections: 50, durationSeconds: 10, key, kind: 'single', machineIds });
    console.log(
      `single events, 50 connections, 10 s: ${Math.round(single.rps)} /s (budget ≥ 5000), p50 ${single.p50} ms, p99 ${single.p99} ms (budget ≤ 50); non-2xx ${single.non2xx}, errors ${single.errors}`,
    );

    const batchSize = 1000;
    const batched = await load({ url: app.url, connections: 4, durationSeconds: 10, key, kind: 'batch', machineIds, batchSize });
    console.log(
      `batched events (${batchSize} per request, 4 connections, 10 s): ${Math.round(batched.rps * batchSize)} events/s (budget ≥ 50000), p99 ${batched.p99} ms per batch; non-2xx ${batched.non2xx}, errors ${batched.errors}`,
    );
    const [row] = await app.dataSource.query(`SELECT count(*)::int AS n FROM state_events`);
    console.log(`state events stored: ${row.n}`);
  },
};
