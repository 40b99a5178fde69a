import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  kind: 'single' | 'batch' | 'legacy' | 'get';
  key?: string;
  machineIds?: number[];
  batchSize?: number;
  runId?: string;
  paths?: string[];
}

/** autocannon in its own process (load-worker.mjs). */
export function load(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./load-worker.mjs', import.meta.url)), [JSON.stringify({ machineIds: [], ...options })]);
    child.once('message', (m) => resolve(m as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`load worker exited with ${code}`)));
  });
}

/** Requests that did not answer 2xx (errors and timeouts included). */
export const failures = (r: LoadResult) => r.non2xx + r.errors + r.timeouts;
