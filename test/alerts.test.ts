import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../core/alerts/index.js';
import { FixedClock } from '../core/clock.js';
import { ApiClient, clientsForRoles } from './support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Andon alerts with a pinned clock (docs/alerts.md): the app runs without the scheduler role and the test
 * runs the evaluation and delivery ticks itself, so every step happens at a known instant.
 */
const DOWN = 2;
const CLOSED = 3;
const SECRET = 'webhook-secret-of-the-test';
const clock = new FixedClock(new Date('2026-11-20T10:00:00Z'));
const at = (hhmmss: string) => `2026-11-20T${hhmmss}.000Z`;

interface Received {
  body: string;
  signature: string;
  timestamp: number;
  delivery: string;
  status: number;
}

let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
let receiver: Server;
const received: Received[] = [];
/** What the receiver answers next (then 200). */
const answers: number[] = [];
let hookId: number;

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
  });

beforeAll(async () => {
  receiver = createServer((req, res) => {
    void readBody(req).then((body) => {
      const status = answers.shift() ?? 200;
      received.push({
        body,
        signature: String(req.headers['x-oee-signature']),
        timestamp: Number(req.headers['x-oee-timestamp']),
        delivery: String(req.headers['x-oee-delivery']),
        status,
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  app = await startTestApp({ clock, env: { OEE_ROLES: 'ingest,realtime' } });
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  const hook = await c.admin.post('/api/v1/webhooks', {
    name: 'Andon board',
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
    secret: SECRET,
  });
  expect(hook.status).toBe(201);
  expect(hook.body).not.toHaveProperty('secret');
  hookId = hook.body.id;
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

const tick = () => app.andon.alerts.evaluate();
const deliver = () => app.andon.alertDeliveries.deliverDue();

async function machineDownAt(admin: ApiClient, device: ApiClient, name: string, downAt: string, groupId?: number) {
  const machine = (await admin.post('/api/v1/machines', { name, ...(groupId ? { groupId } : {}) })).body;
  const res = await device.post('/api/v1/events', { events: [{ machineId: machine.id, at: downAt, activityCodeId: DOWN }] });
  expect(res.status).toBe(200);
  return machine.id as number;
}

describe('stop alerts', () => {
  it('fires once per rule and stop, escalates on time, signs webhooks and retries after a 500', async () => {
    clock.set(at('10:00:00'));
    const group = (await c.admin.post('/api/v1/groups', { name: 'Line A' })).body;
    const machineId = await machineDownAt(c.admin, c.device, 'Press A', at('10:00:00'), group.id);
    const rule = await c.supervisor.post('/api/v1/alert-rules', {
      name: 'Line A stopped',
      kind: 'stop_longer_than',
      groupId: group.id,
      levels: [
        { afterMinutes: 5, webhookIds: [hookId] },
        { afterMinutes: 15, webhookIds: [hookId] },
      ],
    });
    expect(rule.status).toBe(201);
    expect(rule.body).toMatchObject({ categories: ['unplanned_stop'], activityCodeIds: [], wall: true, enabled: true, machineId: null });
    // A rule for another group sees nothing of this machine.
    const other = (await c.admin.post('/api/v1/groups', { name: 'Line B' })).body;
    await c.supervisor.post('/api/v1/alert-rules', {
      name: 'Line B stopped',
      kind: 'stop_longer_than',
      groupId: other.id,
      levels: [{ afterMinutes: 1, webhookIds: [hookId] }],
    });

    clock.set(at('10:04:59'));
    expect(await tick()).toEqual({ raised: [], escalated: [], resolved: [] });
    clock.set(at('10:05:00'));
    const first = await tick();
    expect(first.raised).toHaveLength(1);
    const alertId = first.raised[0]!;
    // Again, and again later: the same alert, nothing new.
    expect(await tick()).toEqual({ raised: [], escalated: [], resolved: [] });
    clock.set(at('10:06:00'));
    expect(await Promise.all([tick(), tick()])).toEqual([
      { raised: [], escalated: [], resolved: [] },
      { raised: [], escalated: [], resolved: [] },
    ]);
    const alert = (await c.viewer.get(`/api/v1/alerts/${alertId}`)).body;
    expect(alert).toMatchObject({
      ruleName: 'Line A stopped',
      machineId,
      machineName: 'Press A',
      activityCodeId: DOWN,
      stopStart: at('10:00:00'),
      detectedAt: at('10:05:00'),
      level: 1,
      acknowledgedAt: null,
      resolvedAt: null,
    });

    // The receiver answers 500 first: the delivery is kept and retried 30 s later.
    answers.push(500);
    expect(await deliver()).toBe(1);
    expect(await deliver()).toBe(0);
    let log = (await c.supervisor.get(`/api/v1/alerts/${alertId}/deliveries`)).body;
    expect(log).toEqual([
      expect.objectContaining({
        level: 1,
        channel: 'webhook',
        target: String(hookId),
        status: 'pending',
        attempts: 1,
        responseStatus: 500,
      }),
    ]);
    expect(log[0]).toMatchObject({
      lastAttemptAt: at('10:06:00'),
      nextAttemptAt: at('10:06:30'),
      lastError: 'HTTP 500',
      deliveredAt: null,
    });
    clock.set(at('10:06:29'));
    expect(await deliver()).toBe(0);
    clock.set(at('10:06:30'));
    expect(await deliver()).toBe(1);
    log = (await c.supervisor.get(`/api/v1/alerts/${alertId}/deliveries`)).body;
    expect(log[0]).toMatchObject({
      status: 'delivered',
      attempts: 2,
      responseStatus: 200,
      deliveredAt: at('10:06:30'),
      nextAttemptAt: null,
    });

    expect(received.map((r) => r.status)).toEqual([500, 200]);
    for (const r of received) {
      expect(verifyWebhook(SECRET, r.timestamp, r.body, r.signature)).toBe(true);
      expect(verifyWebhook('not-the-secret-at-all', r.timestamp, r.body, r.signature)).toBe(false);
    }
    expect(received.map((r) => r.timestamp)).toEqual([Date.parse(at('10:06:00')) / 1000, Date.parse(at('10:06:30')) / 1000]);
    // Both attempts carry the same delivery and body.
    expect(received[0]!.delivery).toBe(received[1]!.delivery);
    expect(received[0]!.body).toBe(received[1]!.body);
    expect(JSON.parse(received[0]!.body)).toMatchObject({
      deliveryId: Number(received[0]!.delivery),
      event: 'alert.raised',
      level: 1,
      levels: 2,
      activityCodeName: 'Down',
      alert: { id: alertId, machineName: 'Press A', stopStart: at('10:00:00') },
    });

    // Level 2 at 15 minutes, once.
    clock.set(at('10:14:59'));
    expect((await tick()).escalated).toEqual([]);
    clock.set(at('10:15:00'));
    expect(await tick()).toEqual({ raised: [], escalated: [alertId], resolved: [] });
    expect(await tick()).toEqual({ raised: [], escalated: [], resolved: [] });
    expect(await deliver()).toBe(1);
    expect(await deliver()).toBe(0);
    expect(received).toHaveLength(3);
    expect(JSON.parse(received[2]!.body)).toMatchObject({ event: 'alert.escalated', level: 2, alert: { id: alertId, level: 2 } });

    // The stop ends at 10:20 (the machine is closed): the alert is resolved at that moment.
    clock.set(at('10:20:30'));
    expect((await c.device.post('/api/v1/events', { events: [{ machineId, at: at('10:20:00'), activityCodeId: CLOSED }] })).status).toBe(
      200,
    );
    clock.set(at('10:21:00'));
    expect(await tick()).toEqual({ raised: [], escalated: [], resolved: [alertId] });
    expect((await c.viewer.get(`/api/v1/alerts/${alertId}`)).body).toMatchObject({
      resolvedAt: at('10:20:00'),
      resolvedBy: null,
      level: 2,
    });
    expect((await c.viewer.get('/api/v1/alerts')).body.map((a: { id: number }) => a.id)).not.toContain(alertId);
  }, 60_000);

  it('stops escalating once acknowledged, and gives MTTA and MTTR per machine and reason', async () => {
    clock.set(at('11:00:00'));
    const machineId = await machineDownAt(c.admin, c.device, 'Press B', at('11:00:00'));
    await c.supervisor.post('/api/v1/alert-rules', {
      name: 'Press B stopped',
      kind: 'stop_longer_than',
      machineId,
      levels: [{ afterMinutes: 2 }, { afterMinutes: 10, webhookIds: [hookId] }],
    });
    clock.set(at('11:02:00'));
    const { raised } = await tick();
    expect(raised).toHaveLength(1);
    const alertId = raised[0]!;
    const keys: { id: number; name: string }[] = (await c.admin.get('/api/v1/api-keys')).body;
    const operatorKeyId = keys.find((k) => k.name === 'key-operator')!.id;
    const supervisorKeyId = keys.find((k) => k.name === 'key-supervisor')!.id;

    clock.set(at('11:03:30'));
    const ack = await c.operator.post(`/api/v1/alerts/${alertId}/acknowledge`, { note: 'on my way' });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ acknowledgedAt: at('11:03:30'), acknowledgedBy: `api-key:${operatorKeyId}`, resolvedAt: null });
    // Repeating it keeps the first.
    clock.set(at('11:04:00'));
    expect((await c.operator.post(`/api/v1/alerts/${alertId}/acknowledge`)).body.acknowledgedAt).toBe(at('11:03:30'));
    // A viewer may not.
    expect((await c.viewer.post(`/api/v1/alerts/${alertId}/acknowledge`)).status).toBe(403);

    clock.set(at('11:30:00'));
    expect(await tick()).toEqual({ raised: [], escalated: [], resolved: [] });
    expect((await c.viewer.get(`/api/v1/alerts/${alertId}`)).body.level).toBe(1);
    expect((await c.supervisor.get(`/api/v1/alerts/${alertId}/deliveries`)).body).toEqual([]);

    clock.set(at('11:32:00'));
    const resolved = await c.supervisor.post(`/api/v1/alerts/${alertId}/resolve`);
    expect(resolved.body).toMatchObject({ resolvedAt: at('11:32:00'), resolvedBy: `api-key:${supervisorKeyId}` });

    const times = await c.viewer.get(`/api/v1/alerts/response-times?from=${at('11:00:00')}&to=${at('12:00:00')}&machineId=${machineId}`);
    expect(times.body).toEqual([
      { machineId, activityCodeId: DOWN, stops: 1, acknowledged: 1, resolved: 1, mttaSeconds: 90, mttrSeconds: 1800 },
    ]);
  }, 60_000);

  it('raises and sends once with two instances evaluating and delivering together', async () => {
    clock.set(at('12:00:00'));
    const second = await startTestApp({ databaseUrl: app.databaseUrl, clock, env: { OEE_ROLES: 'ingest,realtime' } });
    try {
      const machineId = await machineDownAt(c.admin, c.device, 'Press C', at('12:00:00'));
      await c.supervisor.post('/api/v1/alert-rules', {
        name: 'Press C stopped',
        kind: 'stop_longer_than',
        machineId,
        levels: [{ afterMinutes: 1, webhookIds: [hookId] }],
      });
      clock.set(at('12:01:00'));
      const before = received.length;
      const ticks = await Promise.all([tick(), second.andon.alerts.evaluate(), tick(), second.andon.alerts.evaluate()]);
      expect(ticks.flatMap((r) => r.raised)).toHaveLength(1);
      const sent = await Promise.all([deliver(), second.andon.alertDeliveries.deliverDue(), deliver()]);
      expect(sent.reduce((a, b) => a + b, 0)).toBe(1);
      expect(received.length - before).toBe(1);
      expect(JSON.parse(received.at(-1)!.body).alert.machineName).toBe('Press C');
    } finally {
      await second.stop();
    }
  }, 60_000);

  it('runs on the scheduler: the Agenda job raises the alert and sends its webhook', async () => {
    // Real time here: Agenda runs on wall time, and its first run of the job comes right after the start.
    const scheduled = await startTestApp({ databaseUrl: app.databaseUrl });
    try {
      const before = received.length;
      const machineId = (await c.admin.post('/api/v1/machines', { name: 'Press D' })).body.id;
      const downAt = new Date(Date.now() - 10 * 60_000).toISOString();
      // Through the scheduled instance, whose clock is the real one (the first instance's is pinned in November).
      const device = new ApiClient(scheduled.url, c.device.bearer);
      expect((await device.post('/api/v1/events', { events: [{ machineId, at: downAt, activityCodeId: DOWN }] })).status).toBe(200);
      await c.supervisor.post('/api/v1/alert-rules', {
        name: 'Press D stopped',
        kind: 'stop_longer_than',
        machineId,
        levels: [{ afterMinutes: 5, webhookIds: [hookId] }],
      });
      await scheduled.scheduler!.runAlertsNow();
      const deadline = Date.now() + 20_000;
      while (!received.slice(before).some((r) => JSON.parse(r.body).alert.machineName === 'Press D')) {
        if (Date.now() > deadline) throw new Error('timed out waiting for the scheduled webhook');
        await new Promise((r) => setTimeout(r, 100));
      }
      const alerts = (await c.viewer.get(`/api/v1/alerts?machineId=${machineId}`)).body;
      expect(alerts).toEqual([expect.objectContaining({ ruleName: 'Press D stopped', stopStart: downAt, level: 1 })]);
    } finally {
      await scheduled.stop();
    }
  }, 60_000);

  it('lets the tablet of the machine see, acknowledge and resolve its alerts, and no other', async () => {
    clock.set(at('13:00:00'));
    const machineId = await machineDownAt(c.admin, c.device, 'Press E', at('13:00:00'));
    const otherId = await machineDownAt(c.admin, c.device, 'Press F', at('13:00:00'));
    await c.supervisor.post('/api/v1/alert-rules', {
      name: 'Press E stopped',
      kind: 'stop_longer_than',
      machineId,
      levels: [{ afterMinutes: 3 }],
    });
    await c.supervisor.post('/api/v1/alert-rules', {
      name: 'Press F stopped',
      kind: 'stop_longer_than',
      machineId: otherId,
      levels: [{ afterMinutes: 3 }],
    });
    const token = (await c.admin.post('/api/v1/tablets', { name: 'Press E tablet', machineId })).body.token as string;
    const tablet = new ApiClient(app.url, token);
    clock.set(at('13:03:00'));
    const { raised } = await tick();
    expect(raised).toHaveLength(2);
    const mine = (await tablet.get('/api/v1/alerts')).body;
    expect(mine.map((a: { machineName: string }) => a.machineName)).toEqual(['Press E']);
    const [other] = (await c.viewer.get(`/api/v1/alerts?machineId=${otherId}`)).body;

    clock.set(at('13:04:00'));
    expect((await tablet.post(`/api/v1/alerts/${mine[0].id}/acknowledge`)).body).toMatchObject({
      acknowledgedAt: at('13:04:00'),
      acknowledgedBy: 'tablet:Press E tablet',
    });
    expect((await tablet.post(`/api/v1/alerts/${other.id}/acknowledge`)).status).toBe(403);
    expect((await new ApiClient(app.url, 'tab_not-a-token').post(`/api/v1/alerts/${mine[0].id}/resolve`)).status).toBe(401);
    clock.set(at('13:06:00'));
    expect((await tablet.post(`/api/v1/alerts/${mine[0].id}/resolve`)).body).toMatchObject({
      resolvedAt: at('13:06:00'),
      resolvedBy: 'tablet:Press E tablet',
    });
    expect((await tablet.get('/api/v1/alerts')).body).toEqual([]);
  }, 60_000);

  it('validates rules and guards the admin API', async () => {
    const bad = await c.supervisor.post('/api/v1/alert-rules', {
      name: 'Backwards',
      kind: 'stop_longer_than',
      levels: [{ afterMinutes: 10 }, { afterMinutes: 5 }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues).toEqual([expect.objectContaining({ path: ['levels', 1, 'afterMinutes'] })]);
    const noHook = await c.supervisor.post('/api/v1/alert-rules', {
      name: 'X',
      kind: 'stop_longer_than',
      levels: [{ afterMinutes: 5, webhookIds: [999] }],
    });
    expect(noHook.status).toBe(400);
    // A target is for OEE rules only (an OEE rule without one takes each machine's).
    const stopWithTarget = await c.supervisor.post('/api/v1/alert-rules', {
      name: 'OEE',
      kind: 'stop_longer_than',
      oeeTarget: 0.7,
      levels: [{ afterMinutes: 5 }],
    });
    expect(stopWithTarget.status).toBe(400);
    expect(
      (await c.supervisor.post('/api/v1/alert-rules', { name: 'Press B stopped', kind: 'stop_longer_than', levels: [{ afterMinutes: 5 }] }))
        .status,
    ).toBe(409);
    expect((await c.operator.get('/api/v1/alert-rules')).status).toBe(403);
    expect(
      (await c.supervisor.post('/api/v1/webhooks', { name: 'W', url: 'http://x.example/', secret: 'sixteen-chars-at-least' })).status,
    ).toBe(403);
    expect((await c.admin.post('/api/v1/webhooks', { name: 'W', url: 'ftp://x.example/', secret: 'sixteen-chars-at-least' })).status).toBe(
      400,
    );
  });
});
