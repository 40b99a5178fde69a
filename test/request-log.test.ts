import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, clientsForRoles } from './support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/** The request log (docs/operations.md): one line per request, device writes' successes at `debug`. */
interface Line {
  level: number;
  msg: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
  responseTime?: number;
  [key: string]: unknown;
}

function capturingLogger(level: 'info' | 'debug') {
  const lines: Line[] = [];
  const waiters: { test: (line: Line) => boolean; resolve: (line: Line) => void }[] = [];
  const logger = pino(
    { level },
    {
      write: (text: string) => {
        const line = JSON.parse(text) as Line;
        lines.push(line);
        for (const w of [...waiters]) {
          if (!w.test(line)) continue;
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      },
    },
  );
  const next = (test: (line: Line) => boolean) =>
    new Promise<Line>((resolve) => {
      const seen = lines.find(test);
      if (seen) resolve(seen);
      else waiters.push({ test, resolve });
    });
  return { logger, lines, next };
}

const requestLines = (lines: Line[], url: string) => lines.filter((l) => l.req?.url === url);
const shape = (line: Line) => ({ ...line, time: 0, pid: 0, hostname: '', responseTime: typeof line.responseTime });

describe.each(['info', 'debug'] as const)('request log at level %s', (level) => {
  let app: TestApp;
  let capture: ReturnType<typeof capturingLogger>;
  let machineId: number;
  let deviceKey: string;

  beforeAll(async () => {
    capture = capturingLogger(level);
    app = await startTestApp({ logger: capture.logger });
    const c = await clientsForRoles(app.url, ADMIN_PASSWORD);
    machineId = (await c.admin.post('/api/v1/machines', { name: 'Logged' })).body.id;
    deviceKey = (await c.admin.post('/api/v1/api-keys', { name: 'dev', role: 'device' })).body.key;
  });
  afterAll(() => app.stop());

  /** Waits for the line of a later request, so every line of the requests before it is written. */
  const settle = async (tag: string) => {
    expect((await new ApiClient(app.url).get(`/api/v1/health?${tag}`)).status).toBe(200);
    await capture.next((l) => l.req?.url === `/api/v1/health?${tag}`);
  };

  it('logs device writes that succeed at debug only, and their failures at warn like every request', async () => {
    const anon = new ApiClient(app.url);
    const device = new ApiClient(app.url, deviceKey);
    expect((await anon.post('/api/machine-state-change', { machine_id: machineId, machine_state: 2 })).status).toBe(200);
    expect((await device.post('/api/v1/events', { events: [{ machineId, activityCodeId: 3 }] })).status).toBe(200);
    expect((await anon.post('/api/machine-state-change', { machine_id: 999_999, machine_state: 2 })).status).toBe(404);
    expect((await device.post('/api/v1/events', { events: [{ machineId, activityCodeId: 999_999 }] })).status).toBe(400);
    expect((await anon.post('/api/machine-state-change?key=secret', { machine_state: 2 })).status).toBe(400);
    await settle('device');

    const legacy = requestLines(capture.lines, '/api/machine-state-change');
    const events = requestLines(capture.lines, '/api/v1/events');
    const redacted = requestLines(capture.lines, '/api/machine-state-change?key=[redacted]');
    const completed = (url: string, statusCode: number, lvl: number) => ({
      level: lvl,
      time: 0,
      pid: 0,
      hostname: '',
      req: { method: 'POST', url },
      res: { statusCode },
      responseTime: 'number',
      msg: 'request completed',
    });
    const successes = level === 'debug' ? [completed('/api/machine-state-change', 200, 20)] : [];
    expect(legacy.map(shape)).toEqual([...successes, completed('/api/machine-state-change', 404, 40)]);
    expect(events.map(shape)).toEqual([
      ...(level === 'debug' ? [completed('/api/v1/events', 200, 20)] : []),
      completed('/api/v1/events', 400, 40),
    ]);
    expect(redacted.map(shape)).toEqual([completed('/api/machine-state-change?key=[redacted]', 400, 40)]);
  });

  it('logs other requests at info', async () => {
    await settle('other');
    const line = capture.lines.find((l) => l.req?.url === '/api/v1/health?other')!;
    expect(shape(line)).toEqual({
      level: 30,
      time: 0,
      pid: 0,
      hostname: '',
      req: { method: 'GET', url: '/api/v1/health?other' },
      res: { statusCode: 200 },
      responseTime: 'number',
      msg: 'request completed',
    });
  });
});
