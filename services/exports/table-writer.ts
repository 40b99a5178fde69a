import type { Writable } from 'node:stream';

/**
 * One value of an exported table, in the API's units: an instant (datetime columns), a site-local
 * date `YYYY-MM-DD` (date columns), seconds (durations), a ratio 0..1 (percent), a number, text, or
 * empty. Each writer converts it by its column's kind (core/export-columns.ts).
 */
export type Value = string | number | Date | null;

/** A file being streamed: a header row was written when it was opened; rows follow in batches. */
export interface TableWriter {
  /**
   * Writes the rows, each turned into its values just before it is written (so the values of a
   * batch never live all at once), and resolves once the client may take more (backpressure).
   */
  write<R>(rows: readonly R[], values: (row: R) => readonly Value[]): Promise<void>;
  /**
   * Whether the next batch should be read while this one is written. True for a writer whose write
   * is one synchronous pass (PostgreSQL then runs the next fetch meanwhile); false for one that
   * waits within a batch, during which a batch read ahead would only wait too.
   */
  readonly readAhead: boolean;
  /** Completes the file and ends the response. */
  end(): Promise<void>;
}

/**
 * Resolves once `out` may take more data. Also resolves when `out` is gone, so a download the
 * client dropped never hangs the writer.
 */
export async function drained(out: Writable): Promise<void> {
  if (out.destroyed || !out.writableNeedDrain) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.once('drain', done);
    out.once('close', done);
  });
}
