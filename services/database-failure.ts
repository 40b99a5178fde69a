import { AppError } from '../core/errors.js';
import { describeResourceFault, isDatabaseOutOfResources, isDatabaseUnavailable, pgCode } from '../db/pg-errors.js';

/**
 * What a failed query means for the caller, decided here once for every transport (the HTTP error
 * mapper, socket acks, the DigitME2 tablet replies, the scheduler's logs); db/pg-errors.ts only reads
 * the SQLSTATE.
 * - `unstorable`: a value PostgreSQL cannot take (NUL in text, a number or date out of range): the
 *   caller's fault, 400 `invalid_input`;
 * - `out_of_resources`: disk, memory or connections ran out (class 53), 503 `unavailable`;
 * - `unavailable`: the database is away (restarting, unreachable), 503 `unavailable`.
 * The 503s stored nothing, so retrying later is safe and right.
 */
export interface DatabaseFailure {
  kind: 'unstorable' | 'out_of_resources' | 'unavailable';
  error: AppError;
  /** For a 503: how long a client should wait; a full disk is not fixed in seconds, a restart usually is. */
  retryAfterSeconds: number | null;
  /** The SQLSTATE or network error code, for the log line. */
  code: string | undefined;
}

/** SQLSTATEs of values that cannot be stored: untranslatable or invalid characters, numeric, datetime or format out of range. */
const UNSTORABLE_CODES = new Set(['22P05', '22021', '22003', '22008', '22007']);

/** The failure a database error stands for, or null when it is none of these (a bug: answer 500). */
export function databaseFailure(err: unknown): DatabaseFailure | null {
  const code = pgCode(err);
  if (code !== undefined && UNSTORABLE_CODES.has(code)) {
    return { kind: 'unstorable', error: AppError.invalid('A value is out of range or not storable'), retryAfterSeconds: null, code };
  }
  if (isDatabaseOutOfResources(err)) {
    return {
      kind: 'out_of_resources',
      error: new AppError('unavailable', 503, `The database is ${describeResourceFault(code!)}; nothing was stored. Try again later`),
      retryAfterSeconds: 30,
      code,
    };
  }
  if (isDatabaseUnavailable(err)) {
    return {
      kind: 'unavailable',
      error: new AppError('unavailable', 503, 'The database is unavailable; try again shortly'),
      retryAfterSeconds: 2,
      code,
    };
  }
  return null;
}

/** The 503 of a database that is away or out of resources, or null (socket acks answer the rest as `internal`). */
export function databaseFaultError(err: unknown): AppError | null {
  const failure = databaseFailure(err);
  return failure && failure.kind !== 'unstorable' ? failure.error : null;
}
