import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JOBS, MAX_TIMELINE_INTERVALS } from '../core/schemas/shop-floor.schema.js';
import { ApiClient, clientsForRoles } from './support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 15 point 14: range reads answer at most a cap of rows (with `truncated` and the `from` to go
 * on with), and one caller holds at most 2 of the 4 export slots.
 */

let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
const held: ClientRequest[] = [];

beforeAll(async () => {
  app = await startTestApp();
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
});
afterAll(async () => {
  for (const req of held) req.destroy();
  await app?.stop();
});

const BASE = Date.parse('2026-01-01T00:00:00Z');
const iso = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();

/** `n` one-minute intervals (or jobs) from BASE on, straight into the tables. */
async function machineWithIntervals(name: string, n: number): Promise<number> {
  const id = (await c.admin.post('/api/v1/machines', { name })).body.id as number;
  await app.dataSource.query(
    `INSERT INTO timeline_intervals ("machineId", start, "end", "activityCodeId")
     SELECT $1, $2::timestamptz + i * interval '1 minute', $2::timestamptz + (i + 1) * interval '1 minute', 2 FROM generate_series(0, $3 - 1) i`,
    [id, iso(0), n],
  );
  return id;
}

describe('row caps', () => {
  it(`answers at most ${MAX_TIMELINE_INTERVALS} timeline intervals, with truncated and the from to go on with`, async () => {
    const id = await machineWithIntervals('Busy', MAX_TIMELINE_INTERVALS + 1);
    const window = (from: string) => `from=${encodeURIComponent(from)}&to=${encodeURIComponent(iso(MAX_TIMELINE_INTERVALS + 10))}`;
    const first = await c.viewer.get(`/api/v1/machines/${id}/timeline?${window(iso(0))}`);
    expect(first.status).toBe(200);
    expect(first.body.intervals).toHaveLength(MAX_TIMELINE_INTERVALS);
    expect(first.body.intervals.at(-1).start).toBe(iso(MAX_TIMELINE_INTERVALS - 1));
    expect([first.body.truncated, first.body.next]).toEqual([true, iso(MAX_TIMELINE_INTERVALS)]);
    const rest = await c.viewer.get(`/api/v1/machines/${id}/timeline?${window(first.body.next)}`);
    expect(rest.body).toEqual({
      truncated: false,
      next: null,
      intervals: [
        {
          start: iso(MAX_TIMELINE_INTERVALS),
          end: iso(MAX_TIMELINE_INTERVALS + 1),
          activityCodeId: 2,
          category: 'unplanned_stop',
          jobId: null,
          operatorId: null,
        },
      ],
    });
  });

  it(`answers at most ${MAX_JOBS} jobs, with truncated and the from to go on with`, async () => {
    const id = (await c.admin.post('/api/v1/machines', { name: 'Many jobs' })).body.id as number;
    await app.dataSource.query(
      `INSERT INTO jobs ("machineId", "jobNumber", start, "end")
       SELECT $1, 'J' || i, $2::timestamptz + i * interval '1 minute', $2::timestamptz + (i + 1) * interval '1 minute' FROM generate_series(0, $3 - 1) i`,
      [id, iso(0), MAX_JOBS + 1],
    );
    const window = (from: string) => `from=${encodeURIComponent(from)}&to=${encodeURIComponent(iso(MAX_JOBS + 10))}&machineId=${id}`;
    const first = await c.viewer.get(`/api/v1/jobs?${window(iso(0))}`);
    expect(first.body.jobs).toHaveLength(MAX_JOBS);
    expect([first.body.truncated, first.body.next]).toEqual([true, iso(MAX_JOBS)]);
    const rest = await c.viewer.get(`/api/v1/jobs?${window(first.body.next)}`);
    expect([rest.body.truncated, rest.body.next, rest.body.jobs.map((j: { jobNumber: string }) => j.jobNumber)]).toEqual([
      false,
      null,
      [`J${MAX_JOBS}`],
    ]);
  });
});

describe('export slots', () => {
  /** Starts a download and never reads it: once its headers are in, it holds a slot. */
  function hold(path: string, key: string): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request(app.url + path, { headers: { authorization: `Bearer ${key}` } }, (res) => {
        res.pause();
        resolve(res);
      });
      req.on('error', reject);
      held.push(req);
      req.end();
    });
  }

  it('lets one caller hold 2 of the 4 slots; others still export', async () => {
    // Enough rows that an unread CSV download fills the socket buffers and waits.
    // Enough fat rows (~30 MB of CSV) that an unread download fills the socket buffers and waits.
    const id = (await c.admin.post('/api/v1/machines', { name: 'Export' })).body.id as number;
    await app.dataSource.query(
      `INSERT INTO state_events ("machineId", at, "activityCodeId", source, "eventId")
       SELECT $1, $2::timestamptz + i * interval '1 second', 2, 'api', 'e' || i || repeat('x', 100) FROM generate_series(0, 149999) i`,
      [id, iso(0)],
    );
    const path = `/api/v1/export/events.csv?machineId=${id}&from=${encodeURIComponent(iso(0))}&to=${encodeURIComponent(iso(3000))}`;
    const mine = (await c.admin.post('/api/v1/api-keys', { name: 'slow reader', role: 'viewer' })).body.key as string;
    const other = (await c.admin.post('/api/v1/api-keys', { name: 'other reader', role: 'viewer' })).body.key as string;
    const first = await hold(path, mine);
    const second = await hold(path, mine);
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    const third = await new ApiClient(app.url, mine).get(path);
    expect(third.status).toBe(429);
    expect(third.body.error.message).toBe('You have 2 exports running; wait for one to finish');
    // The other two slots are free for everybody else.
    const others = [await hold(path, other), await hold(path, other)];
    expect(others.map((r) => r.statusCode)).toEqual([200, 200]);
    // Now all four are taken.
    expect((await c.viewer.get(path)).body.error.message).toBe('4 exports are running; try again shortly');
  }, 120_000);
});
