import { pino } from 'pino';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FixedClock } from '../core/clock.js';
import { ChangeFeed } from '../services/change-feed.js';
import { createRepositories } from '../db/repositories/index.js';
import { OeeService } from '../services/oee/oee.service.js';
import type { TestApp } from './support/test-app.js';
import type { ApiClient } from './support/http-client.js';
import { insertProduction, insertTimelines } from './support/oee-fixtures.js';
import { gateHistory } from './support/gated-history.js';
import { d, DOWN, expectSameGroup, HOUR, NOW, START, startRollupWorld, UP, type RollupWorld } from './support/oee-rollup-world.js';

/**
 * Every kind of change on the change feed leaves no stale stored hour behind, on the random
 * histories of test/support/oee-rollup-world.ts; and deletes that fail while the database is away
 * are retried and logged once per outage.
 */
let app: TestApp;
let clock: FixedClock;
let raw: OeeService;
let rolled: OeeService;
let feed: ChangeFeed;
let admin: ApiClient;
let codes: number[];
let machines: RollupWorld['machines'];
let storedHourCount: RollupWorld['storedHourCount'];

beforeAll(async () => {
  ({ app, clock, raw, rolled, feed, admin, codes, machines, storedHourCount } = await startRollupWorld());
});
afterAll(() => app?.stop());

describe('changes on the change feed delete exactly what they touch', () => {
  const from = d(START - 24 * HOUR);
  const to = d(NOW);
  const check = async (what: string) => expectSameGroup(await rolled.groupOee(null, from, to), await raw.groupOee(null, from, to), what);
  const warm = async () => {
    await rolled.groupOee(null, from, to);
    return storedHourCount();
  };

  it('a history change that is not published would be seen (the test can fail)', async () => {
    await warm();
    const machine = machines[0]!.id;
    await app.dataSource.query(
      `UPDATE production_records SET good = good + 1000 WHERE id = (SELECT min(id) FROM production_records WHERE "machineId" = $1 AND "from" < $2)`,
      [machine, d(NOW - 48 * HOUR)],
    );
    const stale = await rolled.groupOee(null, from, to);
    const fresh = await raw.groupOee(null, from, to);
    expect(fresh.goodCount - stale.goodCount).toBeGreaterThan(0);
    await rolled.invalidateMachine(machine, null);
    await check('after invalidateMachine');
  });

  it('timeline: a re-projection from an instant', async () => {
    const before = await warm();
    const machine = machines[2]!.id;
    const at = new Date(Date.parse('2026-10-27T10:20:30Z'));
    const [holding] = await app.dataSource.query(
      `SELECT id, start FROM timeline_intervals WHERE "machineId" = $1 AND start <= $2 ORDER BY start DESC LIMIT 1`,
      [machine, at],
    );
    await app.dataSource.query(`DELETE FROM timeline_intervals WHERE "machineId" = $1 AND start > $2`, [machine, at]);
    await app.dataSource.query(`UPDATE timeline_intervals SET "end" = $2 WHERE id = $1`, [holding.id, at]);
    await insertTimelines(app.dataSource, [
      { machineId: machine, start: at, end: d(at.getTime() + 2 * HOUR), activityCodeId: codes[0]! },
      { machineId: machine, start: d(at.getTime() + 2 * HOUR), end: null, activityCodeId: UP },
    ]);
    feed.publish({ kind: 'timeline', machineId: machine, from: at.toISOString() });
    await check('after timeline change');
    expect(await storedHourCount()).toBe(before);
  });

  it('timeline: a change that turns an earlier stop into (or out of) a small stop, across an hour boundary', async () => {
    await warm();
    const machine = machines[3]!.id;
    // Running, a 60 s stop over the hour (a small stop: < 90 s between running), running again.
    const stopStart = Date.parse('2026-10-29T09:59:30Z');
    const [holding] = await app.dataSource.query(
      `SELECT id FROM timeline_intervals WHERE "machineId" = $1 AND start <= $2 ORDER BY start DESC LIMIT 1`,
      [machine, d(stopStart - 60_000)],
    );
    await app.dataSource.query(`DELETE FROM timeline_intervals WHERE "machineId" = $1 AND start > $2`, [machine, d(stopStart - 60_000)]);
    await app.dataSource.query(`UPDATE timeline_intervals SET "end" = $2 WHERE id = $1`, [holding.id, d(stopStart - 60_000)]);
    await insertTimelines(app.dataSource, [
      { machineId: machine, start: d(stopStart - 60_000), end: d(stopStart), activityCodeId: UP },
      { machineId: machine, start: d(stopStart), end: d(stopStart + 60_000), activityCodeId: DOWN },
      { machineId: machine, start: d(stopStart + 60_000), end: null, activityCodeId: UP },
    ]);
    await rolled.invalidateMachine(machine, d(stopStart - 60_000));
    await check('small stop stored');
    // A late event at 10:00:30 makes what follows the stop a jam: the 09:00 hour changes too.
    const at = d(stopStart + 60_000);
    await app.dataSource.query(`UPDATE timeline_intervals SET "activityCodeId" = $3 WHERE "machineId" = $1 AND start = $2`, [
      machine,
      at,
      codes[1]!,
    ]);
    feed.publish({ kind: 'timeline', machineId: machine, from: at.toISOString() });
    await check('small stop no more');
  });

  it('machine-state: a live event closes the open interval', async () => {
    await warm();
    const machine = machines[4]!.id;
    const since = d(NOW - 10 * 60_000);
    const [open] = await app.dataSource.query(`SELECT id, start FROM timeline_intervals WHERE "machineId" = $1 AND "end" IS NULL`, [
      machine,
    ]);
    expect(open.start.getTime()).toBeLessThan(since.getTime());
    await app.dataSource.query(`UPDATE timeline_intervals SET "end" = $2 WHERE id = $1`, [open.id, since]);
    await insertTimelines(app.dataSource, [{ machineId: machine, start: since, end: null, activityCodeId: DOWN }]);
    feed.publish({
      kind: 'machine-state',
      machineId: machine,
      activityCodeId: DOWN,
      category: 'unplanned_stop',
      since: since.toISOString(),
      jobId: null,
      operatorId: null,
    });
    await check('after a live event');
  });

  it('production: a late record over several days', async () => {
    await warm();
    const machine = machines[1]!.id;
    const record = { from: d(START + 50 * HOUR + 777), to: d(START + 120 * HOUR), good: 5_000, rejects: 77, jobId: null };
    await insertProduction(app.dataSource, machine, [record]);
    feed.publish({
      kind: 'production',
      machineId: machine,
      jobId: null,
      from: record.from.toISOString(),
      to: record.to.toISOString(),
      good: record.good,
      rejects: record.rejects,
    });
    await check('after a production record');
  });

  it('job: a changed ideal cycle time applies from the job start', async () => {
    await warm();
    const machine = machines[0]!.id;
    const [job] = await app.dataSource.query(
      `SELECT id FROM jobs WHERE "machineId" = $1 AND "idealCycleTimeSeconds" IS NOT NULL ORDER BY start LIMIT 1`,
      [machine],
    );
    await app.dataSource.query(`UPDATE jobs SET "idealCycleTimeSeconds" = "idealCycleTimeSeconds" * 3 WHERE id = $1`, [job.id]);
    feed.publish({ kind: 'job', machineId: machine, jobId: job.id, action: 'updated' });
    await check('after a job change');
  });

  it('a change committed while a computation has its data in hand does not leave stale hours', async () => {
    await rolled.invalidateAll();
    // A service whose first raw load returns, then waits until the change is committed and published.
    const repos = createRepositories(app.dataSource);
    const { dataInHand, release } = gateHistory(repos);
    const slow = new OeeService(repos, clock, undefined, { rawMaxSeconds: 0 });
    const slowFeed = new ChangeFeed();
    slow.listen(slowFeed);

    const machine = machines[2]!.id;
    const computing = slow.groupOee(null, from, to);
    await dataInHand;
    await app.dataSource.query(`UPDATE production_records SET rejects = rejects + 5 WHERE "machineId" = $1`, [machine]);
    const [first] = await app.dataSource.query(`SELECT min("from") AS at FROM production_records WHERE "machineId" = $1`, [machine]);
    const change = {
      kind: 'production',
      machineId: machine,
      jobId: null,
      from: first.at.toISOString(),
      to: to.toISOString(),
      good: 0,
      rejects: 5,
    } as const;
    slowFeed.publish(change);
    feed.publish(change);
    release();
    await computing;
    await slow.flushRollups();
    expectSameGroup(await slow.groupOee(null, from, to), await raw.groupOee(null, from, to), 'after a concurrent change');
    await check('after a concurrent change');
  });

  it('setup: a site setting change deletes everything', async () => {
    await warm();
    expect((await admin.put('/api/v1/site', { timezone: 'Asia/Kolkata', microStopSeconds: 30 })).status).toBe(200);
    feed.publish({ kind: 'setup', entity: 'site', id: 1 });
    await check('after the site changed');
    await rolled.flushRollups();
    // India: stored hours start at half past UTC hours.
    const [{ n }] = await app.dataSource.query(`SELECT count(*)::int AS n FROM oee_hourly WHERE EXTRACT(MINUTE FROM "hourStart") <> 30`);
    expect(n).toBe(0);
    expectSameGroup(await rolled.groupOee(null, from, to, 'day'), await raw.groupOee(null, from, to, 'day'), 'India by day');
  });
});

describe('deletes while the database is away', () => {
  it('are logged once per outage: at the first failure and at the recovery, not at every retry', async () => {
    const lines: { level: number; msg: string; failedAttempts?: number }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    // A connection of this service's own, closed and opened again: the others keep theirs.
    const own = new DataSource(app.dataSource.options);
    await own.initialize();
    const service = new OeeService(createRepositories(own), clock, logger, { rawMaxSeconds: 0 });
    await own.destroy();
    for (let i = 0; i < 3; i++) await expect(service.invalidateMachine(machines[0]!.id, null)).rejects.toThrow();
    expect(lines.map((l) => l.msg)).toEqual(['could not delete stale OEE roll-ups; retrying']);
    await own.initialize();
    try {
      await service.flushInvalidations();
      expect(lines.map((l) => l.msg)).toEqual([
        'could not delete stale OEE roll-ups; retrying',
        'deleted the stale OEE roll-ups after failed attempts',
      ]);
      expect(lines[1]!.failedAttempts).toBeGreaterThanOrEqual(3);
    } finally {
      await own.destroy();
    }
  });
});
