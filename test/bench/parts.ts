import type { Target } from './target.js';
import { seededRandom } from '../../core/seeded-random.js';

/** How big and how long: `--quick` runs ~3 s loads on smaller data, for trying things out. */
export interface BenchOptions {
  quick: boolean;
  /** Length of each load run (autocannon), in seconds. */
  seconds: number;
}

/** A number's goal from issue 19 / docs/architecture.md#budgets. */
export interface Goal {
  op: '>=' | '<=';
  value: number;
}

/** One measured number of a case. */
export interface Measure {
  metric: string;
  value: number;
  unit: string;
  goal?: Goal;
}

/** One thing measured, repeatable: in --compare it runs A/B/A/B, 3 rounds per side. */
export interface BenchCase<S> {
  name: string;
  /** The load's shape, printed beside the figures (data, connections, duration). */
  shape(options: BenchOptions): string;
  /** Runs only in the first round (e.g. needs a browser); default: every round. */
  once?: boolean;
  run(target: Target, state: S, options: BenchOptions, round: number): Promise<Measure[]>;
}

/**
 * One part of `npm run bench` (test/bench/run.ts lists them in order): `setup` seeds a target through its
 * public HTTP API (SQL only for bulk history, said where), identically on each side; the cases measure.
 */
export interface BenchPart<S = any> {
  name: string;
  setup(target: Target, options: BenchOptions): Promise<S>;
  cases: BenchCase<S>[];
}

export const goal = {
  atLeast: (value: number): Goal => ({ op: '>=', value }),
  atMost: (value: number): Goal => ({ op: '<=', value }),
};

export function met(value: number, g: Goal): boolean {
  return g.op === '>=' ? value >= g.value : value <= g.value;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/** mulberry32, so every run (and each side of a comparison) writes the same data. */
export const seeded = seededRandom;

/** Samples the server's VmRSS every 10 ms while `fn` runs; the peak in MB. */
export async function withPeakRss<T>(target: Target, fn: () => Promise<T>): Promise<{ value: T; peakMb: number }> {
  let peak = (await target.memory()).rssMb;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, (await target.memory()).rssMb);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  let value: T;
  try {
    value = await fn();
  } finally {
    sampling = false;
    await sampler;
  }
  return { value, peakMb: Math.max(peak, (await target.memory()).rssMb) };
}
