import { describe, expect, it } from 'vitest';
import { databaseFailure, databaseFaultError } from './database-failure.js';

/** TypeORM's QueryFailedError shape: the pg error in driverError, its fields copied, the query and its parameters. */
function queryFailed(code: string) {
  const driverError = Object.assign(new Error('boom'), { code });
  return Object.assign(new Error('boom'), {
    name: 'QueryFailedError',
    code,
    driverError,
    query: 'INSERT INTO state_events VALUES ($1)',
    parameters: [],
  });
}

describe('database failures as AppErrors', () => {
  it('answers both with 503 unavailable, saying which', () => {
    expect(databaseFaultError(queryFailed('53100'))).toMatchObject({
      code: 'unavailable',
      status: 503,
      message: 'The database is out of disk space (SQLSTATE 53100); nothing was stored. Try again later',
    });
    expect(databaseFaultError(queryFailed('53000'))).toMatchObject({
      status: 503,
      message: 'The database is out of resources (SQLSTATE 53000); nothing was stored. Try again later',
    });
    expect(databaseFaultError(queryFailed('57P01'))).toMatchObject({
      code: 'unavailable',
      status: 503,
      message: 'The database is unavailable; try again shortly',
    });
    expect(databaseFaultError(queryFailed('23505'))).toBe(null);
  });

  it("reads values PostgreSQL cannot store as the caller's 400, with no Retry-After", () => {
    expect(databaseFailure(queryFailed('22P05'))).toMatchObject({
      kind: 'unstorable',
      retryAfterSeconds: null,
      error: { code: 'invalid_input', status: 400 },
    });
    expect(databaseFaultError(queryFailed('22P05'))).toBe(null);
    expect([databaseFailure(queryFailed('53100'))?.retryAfterSeconds, databaseFailure(queryFailed('57P01'))?.retryAfterSeconds]).toEqual([
      30, 2,
    ]);
  });
});
