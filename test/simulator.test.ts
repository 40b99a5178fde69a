import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { simMachines } from '../scripts/simulator/machine-model.js';
import { runSimulator } from '../scripts/simulator/run.js';
import { ApiClient } from './support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/** Issue 21, point 4: the simulator over HTTP gives exactly the model's states and counts (one clock for both). */
const clock = new FixedClock(new Date('2026-11-24T12:00:00Z'));
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(async () => {
  await app?.stop();
});

describe('npm run simulate --via http', () => {
  it('writes what the seeded model says', async () => {
    const { totals } = await runSimulator({
      url: app.url,
      username: 'admin',
      password: ADMIN_PASSWORD,
      machines: 2,
      via: 'http',
      seed: 5,
      tickMs: 1,
      backfillHours: 3,
      ticks: 1,
      clock,
    });
    // The same model, stepped the same way, to the same end.
    const start = clock.now().getTime() - 3 * 3_600_000;
    const model = simMachines(2, 5, start);
    for (let t = start + 60_000; t < clock.now().getTime(); t += 60_000) model.forEach((m) => m.advance(t));
    model.forEach((m) => m.advance(clock.now().getTime()));
    expect(totals.map((t) => [t.good, t.rejects])).toEqual(model.map((m) => [m.good, m.rejects]));
    const counted = await app.dataSource.query(
      `SELECT "machineId", sum(good)::int AS good, sum(rejects)::int AS rejects FROM production_records GROUP BY "machineId" ORDER BY "machineId"`,
    );
    expect(counted).toEqual(totals);
    const admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
    const machines = (await admin.get('/api/v1/machines')).body as { state: { activityCodeId: number } }[];
    const codes = (await admin.get('/api/v1/activity-codes')).body as { id: number; shortDescription: string }[];
    const codeOf = (state: string) =>
      state === 'RUN'
        ? 1
        : state === 'MICRO'
          ? 2
          : codes.find((c) => c.shortDescription === { BREAKDOWN: 'Breakdown', MATERIAL: 'No material', SETUP: 'Setup' }[state])!.id;
    expect(machines.map((m) => m.state.activityCodeId)).toEqual(model.map((m) => codeOf(m.state)));
  });
});
