import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { clientsForRoles } from './support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 14's example: a device repeats its current state, then a buffered event from before the repeat
 * arrives. The timeline (and so OEE) must be the projection of every event, not of the open interval.
 */
const UP = 1;
const DOWN = 2;
const t = (hhmm: string) => `2026-03-10T${hhmm}:00.000Z`;

let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
const clock = new FixedClock(new Date(t('14:00')));

beforeAll(async () => {
  app = await startTestApp({ clock });
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
});
afterAll(() => app.stop());

const timeline = async (m: number) =>
  (
    (await c.viewer.get(`/api/v1/machines/${m}/timeline?from=${t('00:00')}&to=${t('23:00')}`)).body.intervals as {
      start: string;
      end: string | null;
      activityCodeId: number;
      jobId: number | null;
    }[]
  ).map((i) => [i.start, i.end, i.activityCodeId, i.jobId]);

describe('a late event behind repeats of the current state', () => {
  it('job Up from 08:00, Up at 10:00 and 12:00, late Down at 11:00 → Down 11:00–12:00 and Up after, in the timeline and in OEE', async () => {
    const m = (await c.admin.post('/api/v1/machines', { name: 'Repeat' })).body.id as number; // planned 24/7
    const job = (await c.device.post(`/api/v1/machines/${m}/jobs`, { jobNumber: 'J', idealCycleTimeSeconds: 30, at: t('08:00') })).body.job
      .id as number;
    expect((await c.device.post('/api/v1/events', { events: [{ machineId: m, at: t('10:00'), activityCodeId: UP }] })).body).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    expect((await c.device.post('/api/v1/events', { events: [{ machineId: m, at: t('12:00'), activityCodeId: UP }] })).body).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    expect(await timeline(m)).toEqual([[t('08:00'), null, UP, job]]);
    expect(
      (await c.device.post(`/api/v1/machines/${m}/production`, { good: 300, rejects: 20, from: t('08:00'), to: t('14:00') })).status,
    ).toBe(201);
    // Asked before the late event too, so a cached answer would show.
    expect((await c.viewer.get(`/api/v1/oee?machineId=${m}&from=${t('08:00')}&to=${t('14:00')}`)).body).toMatchObject({
      runSeconds: 21_600,
      unplannedStopSeconds: 0,
    });

    expect((await c.device.post('/api/v1/events', { events: [{ machineId: m, at: t('11:00'), activityCodeId: DOWN }] })).body).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    expect(await timeline(m)).toEqual([
      [t('08:00'), t('11:00'), UP, job],
      [t('11:00'), t('12:00'), DOWN, job],
      [t('12:00'), null, UP, job],
    ]);

    const oee = (await c.viewer.get(`/api/v1/oee?machineId=${m}&from=${t('08:00')}&to=${t('14:00')}`)).body;
    expect(oee).toMatchObject({
      calendarSeconds: 21_600,
      plannedProductionSeconds: 21_600,
      runSeconds: 18_000,
      unplannedStopSeconds: 3_600,
      unplannedStopCount: 1,
      idealSeconds: 30 * 320,
      totalCount: 320,
      goodCount: 300,
      rejectCount: 20,
      availability: 18_000 / 21_600,
      performance: (30 * 320) / 18_000,
      quality: 300 / 320,
    });
    expect(oee.oee).toBeCloseTo((18_000 / 21_600) * ((30 * 320) / 18_000) * (300 / 320), 12);
  });
});
