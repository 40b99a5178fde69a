import type { RunningServer } from '../../server.js';

/** What every part of `npm run bench` gets: the running app and the admin's password. */
export interface BenchContext {
  app: RunningServer;
  adminPassword: string;
}

/** One part of `npm run bench` (test/bench/run.ts lists them in order). */
export interface BenchPart {
  name: string;
  run(ctx: BenchContext): Promise<void>;
}
