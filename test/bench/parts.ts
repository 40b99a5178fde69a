import { exportBench } from './export.bench.js';
import { fanoutBench } from './fanout.bench.js';
import { ingestBench } from './ingest.bench.js';
import { oeeBench } from './oee.bench.js';
import type { BenchContext } from './run.js';

export interface BenchPart {
  name: string;
  run(ctx: BenchContext): Promise<void>;
}

/** The parts of `npm run bench`, in order. */
export const benchParts: BenchPart[] = [ingestBench, oeeBench, fanoutBench, exportBench];
