import { afterAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../db/data-source.js';
import { migrate, pendingSchemaChanges } from '../db/migrate.js';
import { migrations as allMigrations } from '../db/migrations/index.js';
import { createTestDatabase, startTestApp, type TestApp } from './support/test-app.js';

const apps: TestApp[] = [];
afterAll(async () => {
  for (const app of apps) await app.stop();
});

describe('schema', () => {
  it('migrates an empty database and has no drift between entities and migrations', async () => {
    const dataSource = createDataSource({ url: await createTestDatabase() });
    await dataSource.initialize();
    try {
      const ran = await migrate(dataSource);
      expect(ran.length).toBeGreaterThan(0);
      expect(await pendingSchemaChanges(dataSource)).toEqual([]);
      expect(await migrate(dataSource)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('refuses overlapping intervals of one machine in the database itself', async () => {
    const app = await startTestApp();
    apps.push(app);
    await app.dataSource.query(`INSERT INTO machines (name) VALUES ('M')`);
    await app.dataSource.query(
      `INSERT INTO timeline_intervals ("machineId", start, "end", "activityCodeId") VALUES (1, '2026-01-01T10:00Z', '2026-01-01T11:00Z', 2)`,
    );
    await expect(
      app.dataSource.query(
        `INSERT INTO timeline_intervals ("machineId", start, "end", "activityCodeId") VALUES (1, '2026-01-01T10:30Z', NULL, 2)`,
      ),
    ).rejects.toThrow(/timeline_intervals_no_overlap/);
    await app.dataSource.query(
      `INSERT INTO timeline_intervals ("machineId", start, "end", "activityCodeId") VALUES (1, '2026-01-01T11:00Z', NULL, 2)`,
    );
  });

  it('starts two instances on one empty database at the same time without a migration error', async () => {
    const databaseUrl = await createTestDatabase();
    const [a, b] = await Promise.all([startTestApp({ databaseUrl }), startTestApp({ databaseUrl })]);
    apps.push(a, b);
    const users = await a.dataSource.query(`SELECT username FROM users`);
    expect(users).toEqual([{ username: 'admin' }]);
    const codes = await b.dataSource.query(`SELECT count(*)::int AS n FROM activity_codes`);
    expect(codes).toEqual([{ n: 5 }]);
    const migrations = await a.dataSource.query(`SELECT count(*)::int AS n FROM migrations`);
    expect(migrations[0].n).toBe(allMigrations.length);
  });
});
