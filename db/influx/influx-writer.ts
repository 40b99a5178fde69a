import { HttpError, InfluxDB, Point, type WriteApi } from '@influxdata/influxdb-client';
import { influxFieldTypes, influxPrecision, type InfluxField } from './influx-names.js';
import type { OutboxRow } from './outbox.repository.js';

export interface InfluxConfig {
  url: string;
  token: string;
  org: string;
  bucket: string;
  /** Per write request; the relay holds a database transaction open for at most this long. */
  timeoutMs?: number;
}

/**
 * Why a write failed:
 * - `unavailable`: network error, timeout, 5xx, 429, and also 401/403/404 (a token or bucket to fix):
 *   retry the same points later.
 * - `rejected`: the server refused the data itself (400, 422: malformed, type conflict, outside
 *   retention); sending it again cannot help.
 * - `too-large`: 413, send fewer points per request.
 */
export type InfluxWriteFailure = 'unavailable' | 'rejected' | 'too-large';

export class InfluxWriteError extends Error {
  override readonly name = 'InfluxWriteError';
  constructor(
    readonly kind: InfluxWriteFailure,
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

export interface WriteResult {
  written: number;
  /** Rows that cannot be expressed as a point at all; they were not sent. */
  invalid: { id: string; reason: string }[];
}

/** What the relay needs from a writer (a test double can stand in). */
export interface PointWriter {
  /** Sends the rows as points, all in one request, and resolves once the server accepted them. */
  write(rows: readonly OutboxRow[]): Promise<WriteResult>;
  close(): Promise<void>;
}

/**
 * Writes outbox rows to InfluxDB v2 (`/api/v2/write`) through `@influxdata/influxdb-client`, with the
 * client's own batching and retries switched off: the outbox is the buffer and the relay retries, so
 * a write either reaches the server completely or fails with the reason, and nothing lingers in memory.
 */
export class InfluxWriter implements PointWriter {
  private readonly writeApi: WriteApi;

  constructor(
    config: InfluxConfig,
    /** Largest `write` call: the client's buffer must never flush a part of a batch on its own. */
    private readonly maxPointsPerWrite = 10_000,
  ) {
    const influx = new InfluxDB({ url: config.url, token: config.token, timeout: config.timeoutMs ?? 10_000 });
    this.writeApi = influx.getWriteApi(config.org, config.bucket, influxPrecision, {
      batchSize: maxPointsPerWrite + 1,
      maxBatchBytes: Number.POSITIVE_INFINITY,
      flushInterval: 0,
      maxRetries: 0,
      gzipThreshold: 4_096,
      // Hand the failure to `flush()` instead of the client's console logger.
      writeFailed: (error) => Promise.reject(error),
    });
  }

  async write(rows: readonly OutboxRow[]): Promise<WriteResult> {
    if (rows.length > this.maxPointsPerWrite) throw new RangeError(`at most ${this.maxPointsPerWrite} points per write`);
    const invalid: WriteResult['invalid'] = [];
    const points: Point[] = [];
    for (const row of rows) {
      try {
        points.push(toPoint(row));
      } catch (err) {
        invalid.push({ id: row.id, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    if (points.length === 0) return { written: 0, invalid };
    this.writeApi.writePoints(points);
    try {
      await this.writeApi.flush();
    } catch (err) {
      throw classify(err);
    }
    return { written: points.length, invalid };
  }

  async close(): Promise<void> {
    this.writeApi.dispose();
  }
}

/** One outbox row as a point, each field with the type fixed in influx-names.ts. */
export function toPoint(row: OutboxRow): Point {
  const point = new Point(row.measurement).timestamp(new Date(row.at));
  for (const [key, value] of Object.entries(row.tags)) point.tag(key, value);
  let fields = 0;
  for (const [key, value] of Object.entries(row.fields)) {
    const type = influxFieldTypes[key as InfluxField] ?? inferType(value);
    if (type === 'int') point.intField(key, value);
    else if (type === 'float') point.floatField(key, value);
    else if (type === 'boolean') point.booleanField(key, value);
    else point.stringField(key, value);
    fields++;
  }
  if (fields === 0) throw new Error('a point needs at least one field');
  return point;
}

/** Fields unknown to this version (rows written by another one): numbers as floats, which never conflict with themselves. */
function inferType(value: unknown): 'float' | 'string' | 'boolean' {
  return typeof value === 'number' ? 'float' : typeof value === 'boolean' ? 'boolean' : 'string';
}

function classify(err: unknown): InfluxWriteError {
  if (err instanceof HttpError) {
    const kind: InfluxWriteFailure =
      err.statusCode === 400 || err.statusCode === 422 ? 'rejected' : err.statusCode === 413 ? 'too-large' : 'unavailable';
    return new InfluxWriteError(kind, `InfluxDB write failed (${err.statusCode}): ${err.message}`, err.statusCode);
  }
  const message = err instanceof Error ? `${(err as NodeJS.ErrnoException).code ?? err.name}: ${err.message}` : String(err);
  return new InfluxWriteError('unavailable', message);
}
