import type { Writable } from 'node:stream';

/** One cell of an exported table: text, a number, or empty. Times arrive already formatted as text. */
export type Cell = string | number | null;

/** A file being streamed: a header row was written when it was opened; rows follow in batches. */
export interface TableWriter {
  /** Writes the rows and resolves once the client may take more (backpressure). */
  write(rows: Cell[][]): Promise<void>;
  /** Completes the file and ends the response. */
  end(): Promise<void>;
}

/** Largest backlog (bytes) inside the pipeline before the writer waits for the client. */
export const MAX_BACKLOG_BYTES = 1 << 20;

/**
 * Resolves once `out` may take more data: it does not need a drain and the `backlog` of any stage
 * before it (one that does not signal backpressure itself) is below MAX_BACKLOG_BYTES. Also
 * resolves when `out` is gone, so a download the client dropped never hangs the writer.
 */
export async function drained(out: Writable, backlog: () => number = () => 0): Promise<void> {
  while (!out.destroyed && (out.writableNeedDrain || backlog() > MAX_BACKLOG_BYTES)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        out.off('drain', done);
        out.off('close', done);
        resolve();
      };
      out.once('drain', done);
      out.once('close', done);
      // A stage's backlog emits nothing when it shrinks: look again shortly.
      const timer = setTimeout(done, 20);
    });
  }
}
