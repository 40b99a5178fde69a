import { fork, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launchBrowser } from '../support/browser.js';
import { ApiClient } from '../support/http-client.js';
import type { BenchPart } from './parts.js';

const SCREENS = 1_000;
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

/**
 * docs/architecture.md: POST accepted → Socket.IO client sees it, 1 000 connected screens, p99 ≤ 100 ms; and
 * the wall screen's JavaScript ≤ 200 kB gzipped.
 */
export const fanoutBench: BenchPart = {
  name: 'fanout',
  async run({ app, adminPassword }) {
    const admin = await new ApiClient(app.url).signIn('admin', adminPassword);
    const group = (await admin.post('/api/v1/groups', { name: 'Bench fan-out' })).body.id as number;
    const machineIds: number[] = [];
    for (let i = 0; i < MACHINES; i++)
      machineIds.push((await admin.post('/api/v1/machines', { name: `Bench fan-out ${i}`, groupId: group })).body.id);
    const token = (await admin.post('/api/v1/kiosk-tokens', { name: 'bench screens' })).body.token as string;
    const device = new ApiClient(
      app.url,
      (await admin.post('/api/v1/api-keys', { name: 'bench-fanout-device', role: 'device' })).body.key as string,
    );

    await wallBundle(app.url, token);

    const child = fork(fileURLToPath(new URL('./fanout-worker.mjs', import.meta.url)), [
      JSON.stringify({ url: app.url, token, clients: SCREENS, connectConcurrency: 50 }),
    ]);
    const ready = await nextMessage(child, 'ready');
    console.log(`${SCREENS} screens connected (websocket, kiosk token) with their snapshots in ${ready.connectMs} ms`);

    const sentAt = new Map<string, number>();
    const answeredAt = new Map<string, number>();
    const lastAt = new Map<number, number>();
    child.send({ type: 'start' });
    const serverCpu = process.cpuUsage();
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const rtts: number[] = [];
    const started = now();
    for (let i = 0; i < CHANGES; i++) {
      const machineId = machineIds[i % MACHINES]!;
      // Each change its own start time, so every receipt can be matched to its POST.
      const at = Math.max(Date.now(), (lastAt.get(machineId) ?? 0) + 1);
      lastAt.set(machineId, at);
      const since = new Date(at).toISOString();
      const key = `${machineId}|${since}`;
      const activityCodeId = Math.floor(i / MACHINES) % 2 === 0 ? 3 : 2;
      sentAt.set(key, now());
      const res = await device.post('/api/v1/events', { events: [{ machineId, activityCodeId, at: since }] });
      answeredAt.set(key, now());
      rtts.push(answeredAt.get(key)! - sentAt.get(key)!);
      if (res.status !== 200) throw new Error(`POST /api/v1/events: ${res.status} ${JSON.stringify(res.body)}`);
      const due = started + ((i + 1) * 1000) / RATE;
      const wait = due - now();
      if (wait > 0) await sleep(wait);
    }
    const elapsed = now() - started;
    loop.disable();
    rtts.sort((a, b) => a - b);
    console.log(
      `server event loop delay p50 ${(loop.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms; POST round trip p50 ${quantile(rtts, 0.5).toFixed(1)} ms, p99 ${quantile(rtts, 0.99).toFixed(1)} ms`,
    );
    const cpu = process.cpuUsage(serverCpu);
    child.send({ type: 'finish', expected: CHANGES });
    const { receipts, missing, duplicates, cpuMs } = await nextMessage(child, 'receipts');
    console.log(
      `CPU while sending: server ${(((cpu.user + cpu.system) / 1000 / elapsed) * 100).toFixed(0)}%, screens ${((cpuMs / elapsed) * 100).toFixed(0)}% of a core`,
    );

    const fromAnswer: number[] = [];
    const fromSend: number[] = [];
    for (const [key, times] of Object.entries(receipts)) {
      const answered = answeredAt.get(key);
      const sent = sentAt.get(key);
      if (answered === undefined || sent === undefined) continue;
      for (const t of times) {
        fromAnswer.push(t - answered);
        fromSend.push(t - sent);
      }
    }
    fromAnswer.sort((a, b) => a - b);
    fromSend.sort((a, b) => a - b);
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    console.log(
      `${CHANGES} state changes paced at ${RATE}/s (achieved ${((CHANGES * 1000) / elapsed).toFixed(0)}/s) over HTTP to ${SCREENS} screens: ${fromAnswer.length} deliveries, missing ${missing}, duplicates ${duplicates}`,
    );
    console.log(
      `POST answered → screen has it: p50 ${ms(quantile(fromAnswer, 0.5))}, p99 ${ms(quantile(fromAnswer, 0.99))} (budget ≤ 100 ms), max ${ms(fromAnswer.at(-1) ?? NaN)}` +
        ` (negative: the screen had it before the POST's answer arrived)`,
    );
    console.log(
      `POST sent → screen has it: p50 ${ms(quantile(fromSend, 0.5))}, p99 ${ms(quantile(fromSend, 0.99))}, max ${ms(fromSend.at(-1) ?? NaN)}`,
    );
  },
};

/** The JavaScript `/wall` loads, as Chromium fetched it, gzipped (what a TV downloads). */
async function wallBundle(baseUrl: string, token: string): Promise<void> {
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
    const largest = [...scripts].sort((a, b) => b.gzip - a.gzip).slice(0, 3);
    console.log(
      `wall screen JavaScript: ${(total / 1024).toFixed(1)} kB gzipped (budget ≤ 200 kB), ${(raw / 1024).toFixed(1)} kB raw, ${scripts.length} files;` +
        ` largest ${largest.map((s) => `${s.url.split('/').pop()} ${(s.gzip / 1024).toFixed(1)} kB`).join(', ')}`,
    );
  } finally {
    await browser.close();
  }
}
