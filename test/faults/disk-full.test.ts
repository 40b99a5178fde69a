import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../core/clock.js';
import { ApiClient } from '../support/http-client.js';
import { TabletClient } from '../support/tablet-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * A full disk, simulated by a trigger that raises SQLSTATE 53100 on every event insert (what
 * PostgreSQL raises when it cannot extend a file). Writes answer 503 `unavailable` saying so, over
 * HTTP and over the tablet socket; health reports it with a reason; and no log line carries the
 * batch's SQL parameters.
 */
let app: TestApp | null = null;
let tablet: TabletClient | null = null;
afterAll(async () => {
  tablet?.close();
  await app?.stop();
});

describe('disk full', () => {
  it('answers 503 with the reason, reports it in health, and logs no SQL parameters', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const clock = new FixedClock(new Date());
    app = await startTestApp({ clock, logger, env: { OEE_ROLES: 'ingest,realtime,scheduler,web' } });
    const admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
    const machineId = (await admin.post('/api/v1/machines', { name: 'Full' })).body.id as number;
    const device = new ApiClient(app.url, (await admin.post('/api/v1/api-keys', { name: 'dev', role: 'device' })).body.key);
    const jam = (await admin.post('/api/v1/activity-codes', { shortDescription: 'Jam', category: 'unplanned_stop', colour: '#AA0000' }))
      .body.id as number;
    const operator = (await admin.post('/api/v1/users', { username: 'fiona', role: 'operator', pin: '4711' })).body.id as number;
    const tabletToken = (await admin.post('/api/v1/tablets', { name: 'Tablet Full', machineId })).body.token as string;
    tablet = await TabletClient.open(app.url, tabletToken);
    expect(await tablet.send('operator:sign-in', { userId: operator, pin: '4711', eventId: randomUUID() })).toMatchObject({ ok: true });
    expect((await admin.get('/api/v1/health')).body).toMatchObject({ status: 'ok', database: 'ok' });

    await app.dataSource.query(`
      CREATE FUNCTION test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'could not extend file "base/16384/16999": No space left on device' USING ERRCODE = '53100';
      END $$`);
    await app.dataSource.query(
      `CREATE TRIGGER test_disk_full BEFORE INSERT ON state_events FOR EACH ROW EXECUTE FUNCTION test_disk_full()`,
    );

    // A batch whose parameters alone would fill a log line many times over.
    const marker = `dfm${randomUUID().replaceAll('-', '')}`;
    const base = clock.now().getTime() - 3_600_000;
    const events = Array.from({ length: 500 }, (_, i) => ({
      eventId: `${marker}-${i}`,
      machineId,
      at: new Date(base + i * 1000).toISOString(),
      activityCodeId: i % 2 ? 2 : 3,
    }));
    const res = await device.post('/api/v1/events', { events });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(res.body).toEqual({
      error: { code: 'unavailable', message: 'The database is out of disk space (SQLSTATE 53100); nothing was stored. Try again later' },
    });

    const ack = await tablet.send('activity:set', {
      activityCodeId: jam,
      eventId: `${marker}-tablet`,
      at: new Date(clock.now().getTime() - 60_000).toISOString(),
    });
    expect(ack).toEqual({
      ok: false,
      error: { code: 'unavailable', message: 'The database is out of disk space (SQLSTATE 53100); nothing was stored. Try again later' },
    });

    const health = await admin.get('/api/v1/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'degraded', database: 'out_of_resources' });
    expect(health.body.reason).toBe(
      `PostgreSQL is out of disk space (SQLSTATE 53100): writes are refused (last at ${clock.now().toISOString()})`,
    );

    const logged = lines.join('');
    expect(logged).toContain('database fault');
    expect(logged).not.toContain(marker);
    expect(logged).not.toContain('"parameters"');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(4_000);

    // Space again: writes go through; health clears a minute after the last refused write.
    await app.dataSource.query(`DROP TRIGGER test_disk_full ON state_events`);
    expect((await device.post('/api/v1/events', { events })).status).toBe(200);
    expect((await admin.get('/api/v1/health')).body.database).toBe('out_of_resources');
    clock.advance(61);
    expect((await admin.get('/api/v1/health')).body).toMatchObject({ status: 'ok', database: 'ok' });
    const [row] = await app.dataSource.query(`SELECT count(*)::int AS n FROM state_events WHERE "eventId" LIKE $1`, [`${marker}-%`]);
    expect(row).toEqual({ n: 500 });
  }, 120_000);
});
