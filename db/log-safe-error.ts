import { stdSerializers } from 'pino';

/** Longer SQL is cut: a batch insert's text alone runs to hundreds of kilobytes. */
const QUERY_CHARS = 300;

/**
 * The `err` serializer of every logger of the app. TypeORM's QueryFailedError carries the query's
 * `parameters` (every value of a failed batch: 172 KB a line, device data, secrets' hashes): they are
 * dropped, and long SQL is cut, here and in any nested error.
 */
export function logSafeError(err: unknown): unknown {
  return withoutQueryData(err instanceof Error ? stdSerializers.err(err) : err, 0);
}

function withoutQueryData(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || depth > 4) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'parameters') continue;
    if (key === 'query' && typeof v === 'string' && v.length > QUERY_CHARS)
      out[key] = `${v.slice(0, QUERY_CHARS)}… (${v.length} characters)`;
    else out[key] = withoutQueryData(v, depth + 1);
  }
  return out;
}
