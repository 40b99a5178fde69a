/**
 * The simulator's machines (scripts/simulate.ts), pure and seeded: the same seed gives the same shop floor.
 * A machine runs in cycles, each making a part (a few are rejects); now and then it stops: a micro-stop of
 * under a minute, or a longer stop with a reason (breakdown, material, setup). `advance` says what happened
 * up to a time, as state changes (with their own times) and cumulative good and reject counters.
 */
export type SimState = 'RUN' | 'MICRO' | 'BREAKDOWN' | 'MATERIAL' | 'SETUP';
import { seededRandom } from '../../core/seeded-random.js';

export { seededRandom };

export interface SimStateChange {
  machine: number;
  at: number;
  state: SimState;
}

export interface SimCounts {
  machine: number;
  at: number;
  /** Cumulative since the machine's start. */
  good: number;
  rejects: number;
}

/** mulberry32: a small seeded generator, [0, 1). */

/** How long each state lasts, in seconds: [shortest, longest]. */
const DURATIONS: Record<SimState, [number, number]> = {
  RUN: [120, 1500],
  MICRO: [10, 50],
  BREAKDOWN: [300, 1500],
  MATERIAL: [120, 600],
  SETUP: [300, 900],
};

/** After running: which stop, by weight. */
const STOPS: [SimState, number][] = [
  ['MICRO', 0.6],
  ['MATERIAL', 0.2],
  ['BREAKDOWN', 0.1],
  ['SETUP', 0.1],
];

export interface SimOptions {
  /** Seconds per part while running. */
  cycleSeconds: number;
  /** The share of parts that are rejects. */
  rejectRate: number;
}

export class SimMachine {
  state: SimState = 'RUN';
  private until: number;
  private nextPart: number;
  good = 0;
  rejects = 0;

  constructor(
    readonly index: number,
    private readonly random: () => number,
    start: number,
    private readonly options: SimOptions = { cycleSeconds: 30, rejectRate: 0.03 },
  ) {
    this.until = start + this.duration('RUN');
    this.nextPart = start + this.cycle();
  }

  private duration(state: SimState): number {
    const [lo, hi] = DURATIONS[state];
    return Math.round((lo + this.random() * (hi - lo)) * 1000);
  }

  private cycle(): number {
    return Math.round(this.options.cycleSeconds * (0.9 + this.random() * 0.2) * 1000);
  }

  private pickStop(): SimState {
    let r = this.random();
    for (const [state, weight] of STOPS) {
      if (r < weight) return state;
      r -= weight;
    }
    return 'MICRO';
  }

  /** Everything up to `to` (ms): state changes, and the counters when they moved. */
  advance(to: number): { changes: SimStateChange[]; counts: SimCounts | null } {
    const changes: SimStateChange[] = [];
    const before = this.good + this.rejects;
    let lastPartAt = 0;
    for (;;) {
      const nextEvent = Math.min(this.until, this.state === 'RUN' ? this.nextPart : Infinity);
      if (nextEvent > to) break;
      if (this.state === 'RUN' && this.nextPart <= this.until) {
        if (this.random() < this.options.rejectRate) this.rejects++;
        else this.good++;
        lastPartAt = this.nextPart;
        this.nextPart += this.cycle();
        continue;
      }
      const at = this.until;
      this.state = this.state === 'RUN' ? this.pickStop() : 'RUN';
      this.until = at + this.duration(this.state);
      if (this.state === 'RUN') this.nextPart = at + this.cycle();
      changes.push({ machine: this.index, at, state: this.state });
    }
    const moved = this.good + this.rejects !== before;
    return { changes, counts: moved ? { machine: this.index, at: lastPartAt, good: this.good, rejects: this.rejects } : null };
  }
}

/** `count` machines from one seed, each with its own stream, all starting at `start` (ms) in RUN. */
export function simMachines(count: number, seed: number, start: number, options?: SimOptions): SimMachine[] {
  return Array.from({ length: count }, (_, i) => new SimMachine(i, seededRandom(seed * 1000 + i + 1), start, options));
}
