import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, watchErrors } from '../support/browser.js';
import { ApiClient, clientsForRoles } from '../support/http-client.js';
import { TabletClient } from '../support/tablet-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';
import { tap, typeOnKeypad, queueEmpty } from '../support/tablet-page.js';

/**
 * Issue 17 on the operator tablet: reasons between jobs, a planned shutdown mid-job asked about first,
 * the machine's offered codes. At 1280×800, the landscape tablet the shop floor mounts.
 */
let app: TestApp;
let browser: Browser;
let admin: ApiClient;
beforeAll(async () => {
  app = await startTestApp({ web: true });
  browser = await launchBrowser();
  admin = (await clientsForRoles(app.url, ADMIN_PASSWORD)).admin;
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const SLACK_MS = 1_000;

interface SentCommand {
  name: string;
  payload: { at: string; eventId: string; [key: string]: unknown };
}

/** The tablet commands the page writes to its WebSocket, parsed from the Socket.IO frames (`42/tablet,<ack>["name", payload]`). */
function recordCommands(page: Page): SentCommand[] {
  const sent: SentCommand[] = [];
  page.on('websocket', (ws) =>
    ws.on('framesent', (frame) => {
      const m = /^42(?:\/[^,[]*,)?\d*(\[.*\])$/s.exec(String(frame.payload));
      if (!m) return;
      const [name, payload] = JSON.parse(m[1]!) as [string, SentCommand['payload']];
      sent.push({ name, payload });
    }),
  );
  return sent;
}

interface Interval {
  start: string;
  end: string | null;
  activityCodeId: number;
  category: string;
  jobId: number | null;
  operatorId: number | null;
}
const timeline = async (machineId: number): Promise<Interval[]> =>
  (await admin.get(`/api/v1/machines/${machineId}/timeline?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`)).body.intervals;

/** A machine with its own codes, an operator and a tablet, signed in at 1280×800. */
async function signedInTablet(name: string, codes: Record<string, number>, excluded: number[] = [], machine: Record<string, unknown> = {}) {
  const machineId = (
    await admin.post('/api/v1/machines', { name, jobStartInputType: 'cycle_time_seconds', excludedActivityCodeIds: excluded, ...machine })
  ).body.id as number;
  const pin = '4812';
  const user = (await admin.post('/api/v1/users', { username: `op-${machineId}`, role: 'operator', pin })).body.id as number;
  const { token } = (await admin.post('/api/v1/tablets', { name: `${name} tablet`, machineId })).body as { token: string };
  const context: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
  const page = await context.newPage();
  const errors = watchErrors(page);
  const sent = recordCommands(page);
  await page.goto(`${app.url}/tablet?token=${encodeURIComponent(token)}`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await typeOnKeypad(page, String(user));
  await tap(page, 'Next');
  await typeOnKeypad(page, pin);
  await tap(page, 'Sign in');
  await page.getByRole('heading', { name: 'Start a job' }).waitFor();
  return { machineId, user, context, page, errors, sent, codes };
}

async function startJob(page: Page, jobNumber: string, idealSeconds: string) {
  await page.getByLabel('Job number').fill(jobNumber);
  await page.getByLabel('Ideal cycle time').fill(idealSeconds);
  await page.getByRole('button', { name: 'Start job' }).click();
  await page.getByTestId('job-number').filter({ hasText: jobNumber }).waitFor();
  await queueEmpty(page);
}

let codeIds: Record<string, number>;
beforeAll(async () => {
  codeIds = {};
  for (const [shortDescription, category, colour] of [
    ['Setting', 'planned_stop', '#E6A700'],
    ['No material', 'unplanned_stop', '#8E24AA'],
    ['Lunch break', 'planned_shutdown', '#607D8B'],
    ['Hidden', 'unplanned_stop', '#000000'],
  ] as const) {
    const res = await admin.post('/api/v1/activity-codes', { shortDescription, category, colour });
    expect(res.status).toBe(201);
    codeIds[shortDescription] = res.body.id as number;
  }
});

describe('/tablet between jobs and mid-job (Chromium, 1280×800)', () => {
  it('after End job the operator picks a reason; the timeline holds that code from the exact time tapped', async () => {
    const t = await signedInTablet('Saw 3', codeIds, [codeIds.Hidden!], { jobStartAutofill: 30 });
    const { page, machineId } = t;
    // The machine's autofill is in the job-start field already.
    expect(await page.getByLabel('Ideal cycle time').inputValue()).toBe('30');

    // Between jobs already (a new machine has no state yet): the reasons are the offered codes that are not running.
    const reasons = page.getByRole('group', { name: 'Reasons' });
    expect(await reasons.getByRole('button').allTextContents()).toEqual(
      ['Down', 'Closed', 'Setting', 'No material', 'Lunch break'].map((n) => expect.stringContaining(n)),
    );

    await startJob(page, 'J-1', '30');
    await page.getByRole('button', { name: 'End job' }).click();
    await typeOnKeypad(page, '5');
    await page.getByRole('dialog').getByRole('button', { name: 'End job', exact: true }).click();
    await page.getByRole('heading', { name: 'Start a job' }).waitFor();
    await queueEmpty(page);
    await page.getByTestId('current-code').filter({ hasText: 'Down' }).waitFor();
    expect(await page.getByTestId('current-since').textContent()).toMatch(/^since \d\d:\d\d · \d+ s$/);

    const before = Date.now();
    await reasons.getByRole('button', { name: 'Setting' }).click();
    const after = Date.now();
    await page.getByTestId('current-code').filter({ hasText: 'Setting' }).waitFor();
    await queueEmpty(page);
    await page.screenshot({ path: '/tmp/t17/tablet-idle-reasons.png' });

    const command = t.sent.filter((c) => c.name === 'activity:set');
    expect(command.map((c) => c.payload.activityCodeId)).toEqual([codeIds.Setting]);
    const at = command[0]!.payload.at;
    expect(Date.parse(at)).toBeGreaterThanOrEqual(before - SLACK_MS);
    expect(Date.parse(at)).toBeLessThanOrEqual(after + SLACK_MS);

    const jobs = (await admin.get(`/api/v1/jobs?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&machineId=${machineId}`)).body.jobs;
    expect(jobs).toMatchObject([{ jobNumber: 'J-1', good: 5, rejects: 0 }]);
    const jobEnd = jobs[0].end as string;
    // The job's Up, the Down the job end put it in, then the reason, open, from the instant tapped, with no job.
    expect((await timeline(machineId)).slice(-3)).toEqual([
      { start: jobs[0].start, end: jobEnd, activityCodeId: 1, category: 'running', jobId: jobs[0].id, operatorId: t.user },
      { start: jobEnd, end: at, activityCodeId: 2, category: 'unplanned_stop', jobId: null, operatorId: t.user },
      { start: at, end: null, activityCodeId: codeIds.Setting, category: 'planned_stop', jobId: null, operatorId: t.user },
    ]);

    expect(t.errors).toEqual([]);
    await t.context.close();
  });

  it('a planned shutdown mid-job asks to confirm first; a stop does not', async () => {
    const t = await signedInTablet('Lathe 4', codeIds, [codeIds.Hidden!]);
    const { page, machineId } = t;
    await startJob(page, 'J-2', '12');
    const codes = page.getByRole('group', { name: 'Activity codes' });
    expect(await codes.getByRole('button', { name: 'Hidden' }).count()).toBe(0);
    // The running screen: the target so far (run time / 12 s), parts made, the shift's OEE.
    await page.getByTestId('job-target').waitFor();
    expect(await page.getByTestId('job-made').textContent()).toBe('0');
    expect(await page.getByTestId('shift-oee').textContent()).toMatch(/^(\d+ %|—)$/);
    await page.screenshot({ path: '/tmp/t17/tablet-running.png' });

    // Lunch break: asked, cancelled, nothing sent.
    await codes.getByRole('button', { name: 'Lunch break' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Lunch break while job J-2 runs?' });
    await ask.waitFor();
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await ask.waitFor({ state: 'detached' });
    expect(t.sent.filter((c) => c.name === 'activity:set')).toEqual([]);
    expect(await page.getByTestId('current-code').textContent()).toContain('Up');

    // Asked again, and confirmed.
    await codes.getByRole('button', { name: 'Lunch break' }).click();
    await ask.getByRole('button', { name: 'Set Lunch break' }).click();
    await page.getByTestId('current-code').filter({ hasText: 'Lunch break' }).waitFor();
    await queueEmpty(page);

    // An unplanned stop mid-job is one tap, as before.
    await codes.getByRole('button', { name: 'No material' }).click();
    await page.getByTestId('current-code').filter({ hasText: 'No material' }).waitFor();
    expect(await page.getByRole('alertdialog').count()).toBe(0);
    await queueEmpty(page);

    const sets = t.sent.filter((c) => c.name === 'activity:set');
    expect(sets.map((c) => c.payload.activityCodeId)).toEqual([codeIds['Lunch break'], codeIds['No material']]);
    const job = (await admin.get(`/api/v1/jobs?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&machineId=${machineId}`)).body.jobs[0];
    expect((await timeline(machineId)).slice(-2)).toEqual([
      {
        start: sets[0]!.payload.at,
        end: sets[1]!.payload.at,
        activityCodeId: codeIds['Lunch break'],
        category: 'planned_shutdown',
        jobId: job.id,
        operatorId: t.user,
      },
      {
        start: sets[1]!.payload.at,
        end: null,
        activityCodeId: codeIds['No material'],
        category: 'unplanned_stop',
        jobId: job.id,
        operatorId: t.user,
      },
    ]);
    expect(t.errors).toEqual([]);
    await t.context.close();
  });
});

describe('resume notes on the machine page (Chromium)', () => {
  it('pins a resume note on the timeline at the pause it explains and lists it with its job', async () => {
    expect((await admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 0 })).status).toBe(200);
    const machineId = (await admin.post('/api/v1/machines', { name: 'Pausable 5', workflowType: 'pausable' })).body.id as number;
    await admin.post('/api/v1/users', { username: 'notes-op', role: 'operator', pin: '2468' });
    const user = ((await admin.get('/api/v1/users')).body as { id: number; username: string }[]).find((u) => u.username === 'notes-op')!.id;
    const { token } = (await admin.post('/api/v1/tablets', { name: 'Pausable 5 tablet', machineId })).body as { token: string };
    const tablet = await TabletClient.open(app.url, token);
    const now = Date.now();
    const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
    try {
      await tablet.ok('operator:sign-in', { userId: user, pin: '2468' });
      await tablet.ok('job:start', { jobNumber: 'P-5', at: ago(50) });
      await tablet.ok('job:pause', { at: ago(40) });
      await tablet.ok('job:resume', { reason: codeIds['No material'], notes: 'belt slipped', at: ago(30) });
    } finally {
      tablet.close();
    }

    const client = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const [name, value] = client.cookie!.split('=') as [string, string];
    await context.addCookies([{ name, value, url: app.url }]);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    await page.goto(`${app.url}/machines/${machineId}?from=${day(now - 86_400_000)}&to=${day(now)}`);
    const note = page.getByTestId('gantt-note');
    await note.waitFor();
    expect(await note.count()).toBe(1);
    expect(await note.getAttribute('aria-label')).toMatch(/^Note at .+: No material: belt slipped$/);
    // At the pause's start: the same x as the start of the bar the pause became.
    const bar = page.locator(`[data-testid="gantt-bar"][data-start="${ago(40)}"]`);
    expect(await bar.getAttribute('data-activity-code-id')).toBe(String(codeIds['No material']));
    const [noteX, barX] = [Number(await note.locator('line').getAttribute('x1')), Number(await bar.getAttribute('x'))];
    expect(Math.abs(noteX - barX)).toBeLessThan(0.5);
    const row = page.locator('[data-testid="jobs-table"] tbody tr').filter({ hasText: 'P-5' });
    expect(await row.textContent()).toContain('belt slipped');
    await page.locator('[data-testid="gantt"]').screenshot({ path: '/tmp/t17/gantt-note.png' });
    expect(errors).toEqual([]);
    await context.close();
  });
});
