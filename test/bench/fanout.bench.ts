import { fork, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launchBrowser } from '../support/browser.js';
import { ApiClient } from '../support/http-client.js';
import { goal, type BenchOptions, type BenchPart, type Measure } from './parts.js';
import type { Target } from './target.js';

const SCREENS = 300;
const MACHINES = 20;
const CHANGES = 300;
/** Changes per second: a busy plant's rate, paced so the number is latency, not a queue. */
const RATE = 50;

type WorkerMessage =
  | { type: 'ready'; connectMs: number }
  | { type: 'receipts'; receipts: Record<string, number[]>; missing: number; duplicates: number; cpuMs: number };

const now = () => performance.timeOrigin + performance.now();

function nextMessage<T extends WorkerMessage['type']>(child: ChildProcess, type: T): Promise<Extract<WorkerMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: WorkerMessage) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      resolve(m as Extract<WorkerMessage, { type: T }>);
    };
    child.on('message', onMessage);
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`fan-out worker exited with ${code}`)));
  });
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

interface FanoutState {
  token: string;
  machineIds: number[];
  device: ApiClient;
}

const screens = (o: BenchOptions) => (o.quick ? 100 : SCREENS);
const changes = (o: BenchOptions) => (o.quick ? 100 : CHANGES);

/**
 * docs/architecture.md#budgets: POST accepted → Socket.IO client sees it, p99 ≤ 100 ms, here with 300
 * connected wall screens (a worker process) of 20 machines; and the wall screen's JavaScript ≤ 200 kB
 * gzipped (only where the checkout's web app is built). The server's CPU is read from /proc.
 */
export const fanoutBench: BenchPart<FanoutState> = {
  name: 'fanout',
  async setup(t) {
    const admin = await new ApiClient(t.url).signIn('admin', t.adminPassword);
    const group = (await admin.post('/api/v1/groups', { name: 'Bench fan-out' })).body.id as number;
    const machineIds: number[] = [];
    for (let i = 0; i < MACHINES; i++)
      machineIds.push((await admin.post('/api/v1/machines', { name: `Bench fan-out ${i}`, groupId: group })).body.id);
    const token = (await admin.post('/api/v1/kiosk-tokens', { name: 'bench screens' })).body.token as string;
    const device = new ApiClient(
      t.url,
      (await admin.post('/api/v1/api-keys', { name: 'bench-fanout-device', role: 'device' })).body.key as string,
    );
    return { token, machineIds, device };
  },
  cases: [
    {
      name: 'fan-out to wall screens',
      shape: (o) =>
        `${screens(o)} screens (websocket, kiosk token), ${changes(o)} state changes of ${MACHINES} machines paced at ${RATE}/s`,
      run: (t, s, o) => fanout(t, s, screens(o), changes(o)),
    },
    {
      name: 'wall screen JavaScript',
      shape: () => 'what Chromium fetched for /wall, gzipped',
      once: true,
      async run(t, s) {
        if (!t.pages) {
          console.log(`  [${t.label}] wall screen JavaScript: not measured, web/build is missing in ${t.root} (npm run build)`);
          return [];
        }
        return wallBundle(t.url, s.token);
      },
    },
  ],
};

async function fanout(t: Target, s: FanoutState, clients: number, count: number): Promise<Measure[]> {
  const child = fork(fileURLToPath(new URL('./fanout-worker.mjs', import.meta.url)), [
    JSON.stringify({ url: t.url, token: s.token, clients, connectConcurrency: 50 }),
  ]);
  const ready = await nextMessage(child, 'ready');
  const sentAt = new Map<string, number>();
  const answeredAt = new Map<string, number>();
  const lastAt = new Map<number, number>();
  child.send({ type: 'start' });
  const cpuBefore = await t.cpuMs();
  const rtts: number[] = [];
  const started = now();
  for (let i = 0; i < count; i++) {
    const machineId = s.machineIds[i % MACHINES]!;
    // Each change its own start time, so every receipt can be matched to its POST.
    const at = Math.max(Date.now(), (lastAt.get(machineId) ?? 0) + 1);
    lastAt.set(machineId, at);
    const since = new Date(at).toISOString();
    const key = `${machineId}|${since}`;
    const activityCodeId = Math.floor(i / MACHINES) % 2 === 0 ? 3 : 2;
    sentAt.set(key, now());
    const res = await s.device.post('/api/v1/events', { events: [{ machineId, activityCodeId, at: since }] });
    answeredAt.set(key, now());
    rtts.push(answeredAt.get(key)! - sentAt.get(key)!);
    if (res.status !== 200) throw new Error(`POST /api/v1/events: ${res.status} ${JSON.stringify(res.body)}`);
    const wait = started + ((i + 1) * 1000) / RATE - now();
    if (wait > 0) await sleep(wait);
  }
  const elapsed = now() - started;
  const cpu = (await t.cpuMs()) - cpuBefore;
  child.send({ type: 'finish', expected: count });
  const { receipts, missing, duplicates } = await nextMessage(child, 'receipts');
  const fromAnswer: number[] = [];
  for (const [key, times] of Object.entries(receipts)) {
    const answered = answeredAt.get(key);
    if (answered === undefined) continue;
    for (const time of times) fromAnswer.push(time - answered);
  }
  fromAnswer.sort((a, b) => a - b);
  rtts.sort((a, b) => a - b);
  return [
    { metric: 'p99 answered→screen', value: quantile(fromAnswer, 0.99), unit: 'ms', goal: goal.atMost(100) },
    { metric: 'p50 answered→screen', value: quantile(fromAnswer, 0.5), unit: 'ms' },
    { metric: 'POST p99', value: quantile(rtts, 0.99), unit: 'ms' },
    { metric: 'missing+duplicates', value: missing + duplicates, unit: '', goal: goal.atMost(0) },
    { metric: 'server CPU', value: Math.round((cpu / elapsed) * 100), unit: '% core' },
    { metric: 'connect all', value: ready.connectMs, unit: 'ms' },
  ];
}

/** The JavaScript `/wall` loads, as Chromium fetched it, gzipped (what a TV downloads). */
async function wallBundle(baseUrl: string, token: string): Promise<Measure[]> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const scripts: { url: string; raw: number; gzip: number }[] = [];
    const pending: Promise<void>[] = [];
    page.on('response', (res) => {
      if (res.request().resourceType() !== 'script') return;
      pending.push(
        res.body().then((body) => {
          scripts.push({ url: new URL(res.url()).pathname, raw: body.length, gzip: gzipSync(body, { level: 9 }).length });
        }),
      );
    });
    await page.goto(`${baseUrl}/wall?token=${encodeURIComponent(token)}`);
    await page.waitForSelector('[data-testid="machine-tile"]');
    await Promise.all(pending);
    const total = scripts.reduce((sum, s) => sum + s.gzip, 0);
    const raw = scripts.reduce((sum, s) => sum + s.raw, 0);
    return [
      { metric: 'gzipped', value: Math.round((total / 1024) * 10) / 10, unit: 'kB', goal: goal.atMost(200) },
      { metric: 'raw', value: Math.round((raw / 1024) * 10) / 10, unit: 'kB' },
      { metric: 'files', value: scripts.length, unit: '' },
    ];
  } finally {
    await browser.close();
  }
}
