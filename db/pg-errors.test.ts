import { describe, expect, it } from 'vitest';
import { logSafeError } from './log-safe-error.js';
import { isDatabaseOutOfResources, isDatabaseUnavailable } from './pg-errors.js';

/** TypeORM's QueryFailedError shape: the pg error in driverError, its fields copied, the query and its parameters. */
function queryFailed(code: string, parameters: unknown[] = []) {
  const driverError = Object.assign(new Error('boom'), { code });
  return Object.assign(new Error('boom'), {
    name: 'QueryFailedError',
    code,
    driverError,
    query: 'INSERT INTO state_events VALUES ($1)',
    parameters,
  });
}

describe('database fault classes', () => {
  it('reads connection loss, start-up and shut-down as unavailable', () => {
    for (const code of ['57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', '08P01', 'ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND']) {
      expect([code, isDatabaseUnavailable(queryFailed(code))]).toEqual([code, true]);
    }
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    for (const code of ['23505', '53100', '22P02', '28P01', '3D000'])
      expect([code, isDatabaseUnavailable(queryFailed(code))]).toEqual([code, false]);
  });

  it('reads class 53 as out of resources', () => {
    for (const code of ['53000', '53100', '53200', '53300', '53400'])
      expect([code, isDatabaseOutOfResources(queryFailed(code))]).toEqual([code, true]);
    for (const code of ['57P01', '23505']) expect([code, isDatabaseOutOfResources(queryFailed(code))]).toEqual([code, false]);
    expect(isDatabaseOutOfResources(null)).toBe(false);
  });
});

describe('logSafeError', () => {
  it('drops SQL parameters, in nested errors too, and cuts long SQL', () => {
    const err = queryFailed('53100', ['secret-value', 42]);
    err.query = `INSERT INTO state_events VALUES ${'($1),'.repeat(200)}`;
    const logged = logSafeError(Object.assign(new Error('outer'), { inner: err })) as Record<string, unknown>;
    const text = JSON.stringify(logged);
    expect(text).not.toContain('secret-value');
    expect(text).not.toContain('"parameters"');
    const inner = logged.inner as Record<string, unknown>;
    expect(inner.code).toBe('53100');
    expect(inner.query).toBe(`${err.query.slice(0, 300)}… (${err.query.length} characters)`);
    expect(logSafeError('just a message')).toBe('just a message');
  });
});
