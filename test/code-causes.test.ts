import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityCodeCauses1795595200000 } from '../db/migrations/1795595200000-ActivityCodeCauses.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';
import { clientsForRoles } from './support/http-client.js';

/**
 * Downtime causes on activity codes (docs/oee.md "Downtime causes"): the defaults, the rule tying a cause to
 * the category, refusals in words, and the migration's default for codes that existed before causes.
 */
let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;

beforeAll(async () => {
  app = await startTestApp();
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
});
afterAll(() => app?.stop());

const code = (shortDescription: string, extra: Record<string, unknown> = {}) => ({
  shortDescription,
  category: 'unplanned_stop',
  colour: '#AA0000',
  ...extra,
});

describe('activity code causes', () => {
  it('seeds Down and Closed as other, Up and Overtime without a cause', async () => {
    const codes = (await c.viewer.get('/api/v1/activity-codes')).body.slice(0, 4);
    expect(codes.map((x: { id: number; cause: string | null }) => [x.id, x.cause])).toEqual([
      [1, null],
      [2, 'other'],
      [3, 'other'],
      [4, null],
    ]);
  });

  it('gives a new stop code other and a running code none, and keeps a cause it is given', async () => {
    expect((await c.admin.post('/api/v1/activity-codes', code('Unclassified'))).body).toMatchObject({ cause: 'other' });
    expect((await c.admin.post('/api/v1/activity-codes', code('Jam', { cause: 'machine' }))).body).toMatchObject({
      category: 'unplanned_stop',
      cause: 'machine',
    });
    expect(
      (await c.admin.post('/api/v1/activity-codes', code('Set-up', { category: 'planned_stop', cause: 'operator' }))).body,
    ).toMatchObject({ cause: 'operator' });
    expect((await c.admin.post('/api/v1/activity-codes', code('Fast run', { category: 'running' }))).body).toMatchObject({
      category: 'running',
      cause: null,
    });
  });

  it('refuses a cause on a running code, none on a stop code, and an unknown cause, naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [code('Bad 1', { category: 'running', cause: 'machine' }), 'a running code has no downtime cause: leave it empty'],
      [code('Bad 2', { cause: null }), 'a stop code needs a downtime cause (other when none fits)'],
    ];
    for (const [body, message] of cases) {
      const res = await c.admin.post('/api/v1/activity-codes', body);
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({
        code: 'invalid_input',
        message: `Invalid cause: ${message}`,
        issues: [{ path: ['cause'], message }],
      });
    }
    const unknown = await c.admin.post('/api/v1/activity-codes', code('Bad 3', { cause: 'weather' }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.issues[0].path).toEqual(['cause']);
    expect(
      (await c.admin.get('/api/v1/activity-codes')).body.some((x: { shortDescription: string }) => x.shortDescription.startsWith('Bad ')),
    ).toBe(false);
  });

  it('follows the category on edits: running drops the cause, a stop gets other or keeps its own', async () => {
    const id = (await c.admin.post('/api/v1/activity-codes', code('Starved', { cause: 'material' }))).body.id;
    expect((await c.admin.patch(`/api/v1/activity-codes/${id}`, { colour: '#123456' })).body.cause).toBe('material');
    expect((await c.admin.patch(`/api/v1/activity-codes/${id}`, { category: 'planned_stop' })).body.cause).toBe('material');
    expect((await c.admin.patch(`/api/v1/activity-codes/${id}`, { category: 'running' })).body.cause).toBe(null);
    expect((await c.admin.patch(`/api/v1/activity-codes/${id}`, { cause: 'quality' })).status).toBe(400);
    expect((await c.admin.patch(`/api/v1/activity-codes/${id}`, { category: 'unplanned_stop' })).body.cause).toBe('other');
    expect((await c.admin.patch(`/api/v1/activity-codes/${id}`, { cause: 'quality' })).body).toMatchObject({
      category: 'unplanned_stop',
      cause: 'quality',
    });
    expect((await c.admin.patch(`/api/v1/activity-codes/${id}`, { cause: null })).status).toBe(400);
    expect((await c.admin.patch('/api/v1/activity-codes/999999', { cause: 'quality' })).status).toBe(404);
    expect((await c.supervisor.patch(`/api/v1/activity-codes/${id}`, { cause: 'machine' })).status).toBe(403);
    const audit = await app.dataSource.query(
      `SELECT "after"->>'cause' AS cause FROM audit_log WHERE entity = 'activity-code' AND "entityId" = $1 ORDER BY id`,
      [id],
    );
    expect(audit.map((a: { cause: string | null }) => a.cause)).toEqual(['material', 'material', 'material', null, 'other', 'quality']);
  });

  it('migrates codes that existed before causes: stops become other, running codes get none', async () => {
    const runner = app.dataSource.createQueryRunner();
    try {
      const migration = new ActivityCodeCauses1795595200000();
      await runner.startTransaction();
      await migration.down(runner);
      await runner.query(
        `INSERT INTO activity_codes ("shortDescription", category, colour) VALUES ('Old stop', 'planned_stop', '#000000'), ('Old run', 'running', '#00FF00')`,
      );
      await migration.up(runner);
      const rows = await runner.query(
        `SELECT "shortDescription" AS name, cause FROM activity_codes WHERE "shortDescription" LIKE 'Old %' ORDER BY id`,
      );
      expect(rows).toEqual([
        { name: 'Old stop', cause: 'other' },
        { name: 'Old run', cause: null },
      ]);
      await expect(runner.query(`UPDATE activity_codes SET cause = 'weather' WHERE "shortDescription" = 'Old stop'`)).rejects.toThrow(
        /activity_codes_cause_valid/,
      );
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
