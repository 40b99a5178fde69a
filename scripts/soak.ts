/**
 * `npm run soak -- [--minutes 30] [--screens 300] [--idle-seconds 60] [--heap-snapshots <dir>] [--load …]`: the
 * memory budget of docs/architecture.md ("idle memory after a 30-minute mixed soak within 20 % of a
 * fresh start"). Starts the server as a child process (`node --import tsx main.ts`) on its embedded
 * defaults in a temporary data directory, records its idle RSS once it is set up (fresh), runs a mixed
 * load for the given minutes — device writes (`POST /api/v1/events`), the DigitME2 device route
 * (`POST /api/machine-state-change`), OEE reads (`GET /api/v1/oee`, several at once) and /live wall
 * screens that keep reconnecting (scripts/soak-screens.ts, a process of its own) — then stops the
 * load, closes the screens, waits idle and prints fresh, peak and idle RSS (VmRSS and VmHWM of
 * /proc/<pid>/status) and their ratio. Numbers only: it fails only when the server does.
 *
 * `--heap-snapshots <dir>` starts the server with `--heapsnapshot-signal=SIGUSR2` and writes a heap
 * snapshot there when fresh and when idle after the load (compare them by constructor in Chrome
 * DevTools' Comparison view). `--load events,legacy,oee,screens` (the default: all) runs only some of
 * the loads, to tell which one holds memory.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { childProcessEnv } from '../env.js';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    screens: { type: 'string', default: '300' },
    'idle-seconds': { type: 'string', default: '60' },
    'heap-snapshots': { type: 'string' },
    /** Which loads run (comma-separated), to find which one holds memory: events, legacy, oee, screens. */
    load: { type: 'string', default: 'events,legacy,oee,screens' },
  },
});
const MINUTES = Number(args.minutes);
const LOADS = new Set(args.load.split(','));
const SCREENS = LOADS.has('screens') ? Number(args.screens) : 0;
const IDLE_SECONDS = Number(args['idle-seconds']);
if (!(MINUTES > 0) || !(SCREENS >= 0) || !(IDLE_SECONDS >= 0)) throw new Error('--minutes, --screens and --idle-seconds take numbers');
const snapshotDir = args['heap-snapshots'] ? resolve(args['heap-snapshots']) : null;

const MACHINES = 20;
const GROUPS = 4;
/** Seeded activity codes (db/seed.ts): Up (running, needs a job), Down, Closed. */
const UP = 1;
const DOWN = 2;
const CLOSED = 3;
const ADMIN_PASSWORD = 'soak-admin-password';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Wall-clock milliseconds for request bodies (the load generator is not server code with a clock). */
const wallMs = () => Math.round(performance.timeOrigin + performance.now());
const mb = (kb: number) => Math.round(kb / 102.4) / 10;

function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

/** VmRSS and VmHWM (peak) of a process, in kB. */
async function memoryOf(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** The median RSS of a few samples a second apart: one sample can catch a collection half done. */
async function steadyRss(pid: number, samples = 5): Promise<number> {
  const rss: number[] = [];
  for (let i = 0; i < samples; i++) {
    rss.push((await memoryOf(pid)).rss);
    if (i < samples - 1) await sleep(1000);
  }
  return rss.sort((a, b) => a - b)[Math.floor(samples / 2)]!;
}

/** What the set-up calls answer with: the created row's id, and the secret of a key or kiosk token. */
interface Created {
  id: number;
  key?: string;
  token?: string;
}

class Client {
  cookie: string | null = null;
  constructor(
    private readonly url: string,
    private readonly bearer: string | null = null,
  ) {}

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    if (this.cookie) headers.cookie = this.cookie;
    const res = await fetch(this.url + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie?.startsWith('oee_session=')) this.cookie = setCookie.split(';')[0]!;
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  async ok(method: string, path: string, body?: unknown): Promise<Created> {
    const res = await this.request(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Created;
  }
}

const dataDir = await mkdtemp(join(tmpdir(), 'oee-soak-'));
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const execArgv = ['--import', 'tsx', ...(snapshotDir ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshotDir}`] : [])];
const server = spawn(process.execPath, [...execArgv, 'main.ts'], {
  cwd: root,
  env: childProcessEnv({
    PORT: String(port),
    HOST: '127.0.0.1',
    OEE_DATA_DIR: dataDir,
    OEE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: 'warn',
    OEE_DISCOVERY_PORT: '0',
    // Embedded defaults: no outside database, InfluxDB or MongoDB.
    DATABASE_URL: '',
    INFLUX_URL: '',
    MONGODB_URL: '',
  }),
  stdio: ['ignore', 'pipe', 'pipe'],
});
// The server's log (warnings and worse), until it is told to stop (its shutdown warnings are expected).
let stopping = false;
for (const stream of [server.stdout!, server.stderr!]) stream.on('data', (d: Buffer) => !stopping && process.stderr.write(d));
// Whatever ends this script (an error included), the server does not outlive it.
process.once('exit', () => serverGone || server.kill('SIGTERM'));
const serverExit = new Promise<number | null>((done) => server.once('exit', (code) => done(code)));
let serverGone = false;
void serverExit.then(() => (serverGone = true));

async function snapshot(label: string): Promise<void> {
  if (!snapshotDir) return;
  const before = new Set(await readdir(snapshotDir));
  server.kill('SIGUSR2');
  // The file appears when writing starts; it is complete once its size stops changing.
  for (let last = -1; ;) {
    await sleep(1000);
    const added = (await readdir(snapshotDir)).filter((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
    if (added.length === 0) continue;
    const size = (await readFile(join(snapshotDir, added[0]!))).byteLength;
    if (size > 0 && size === last) {
      console.log(`heap snapshot (${label}): ${join(snapshotDir, added[0]!)}`);
      return;
    }
    last = size;
  }
}

let screensProcess: ChildProcess | null = null;
try {
  const deadline = performance.now() + 120_000;
  for (;;) {
    if (serverGone) throw new Error('the server exited while starting');
    if (performance.now() > deadline) throw new Error('the server did not become healthy within 120 s');
    const health = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
    if (health?.ok) break;
    await sleep(250);
  }
  const pid = server.pid!;
  console.log(`server pid ${pid} on ${url}, data in ${dataDir}`);

  const admin = new Client(url);
  await admin.ok('POST', '/api/v1/session', { username: 'admin', password: ADMIN_PASSWORD });
  const groupIds: number[] = [];
  for (let g = 0; g < GROUPS; g++) groupIds.push((await admin.ok('POST', '/api/v1/groups', { name: `Soak line ${g + 1}` })).id);
  const machineIds: number[] = [];
  for (let m = 0; m < MACHINES; m++)
    machineIds.push((await admin.ok('POST', '/api/v1/machines', { name: `Soak ${m + 1}`, groupId: groupIds[m % GROUPS] })).id);
  // Half the machines run a job, so their devices may report Up (a running code needs one).
  const withJob = new Set(machineIds.filter((_, i) => i % 2 === 0));
  for (const id of withJob) await admin.ok('POST', `/api/v1/machines/${id}/jobs`, { jobNumber: `SOAK-${id}` });
  const deviceKey = (await admin.ok('POST', '/api/v1/api-keys', { name: 'soak device', role: 'device' })).key!;
  const token = (await admin.ok('POST', '/api/v1/kiosk-tokens', { name: 'soak screens' })).token!;
  const device = new Client(url, deviceKey);
  const anonymous = new Client(url);

  await sleep(10_000);
  const fresh = await steadyRss(pid);
  console.log(`fresh (started, set up, idle 10 s): RSS ${mb(fresh)} MB`);
  await snapshot('fresh');

  const screens = (screensProcess = fork(
    fileURLToPath(new URL('./soak-screens.ts', import.meta.url)),
    [JSON.stringify({ url, token, groupIds, screens: SCREENS, churnPerStep: 5, churnMs: 5_000 })],
    { execArgv: ['--import', 'tsx'] },
  ));
  const fromScreens = (type: string) =>
    new Promise<{ type: string; received?: number; reconnects?: number }>((done, fail) => {
      const onMessage = (m: { type: string }) => m.type === type && (screens.off('message', onMessage), done(m));
      screens.on('message', onMessage);
      screens.once('exit', (code) => code !== 0 && fail(new Error(`screens exited with ${code}`)));
    });
  await fromScreens('ready');
  console.log(`${SCREENS} screens connected to /live; load for ${MINUTES} min`);

  const counts = { events: 0, legacy: 0, oee: 0, failed: 0 };
  const failures = new Map<string, number>();
  const fail = (what: string) => {
    counts.failed++;
    failures.set(what, (failures.get(what) ?? 0) + 1);
  };
  const loadEnds = performance.now() + MINUTES * 60_000;
  const running = () => performance.now() < loadEnds && !serverGone;
  let n = 0;
  const codeFor = (machineId: number, k: number) => (withJob.has(machineId) ? (k % 2 ? UP : DOWN) : k % 2 ? DOWN : CLOSED);

  /** Device writes: batches of 1–5 events, 4 devices at once, each about 10 batches a second. */
  const devices = async () => {
    while (running()) {
      const size = 1 + (n % 5);
      const events = [];
      for (let i = 0; i < size; i++) {
        const k = n++;
        const machineId = machineIds[k % MACHINES]!;
        events.push({ machineId, activityCodeId: codeFor(machineId, Math.floor(k / MACHINES)), eventId: `soak-${k}` });
      }
      const res = await device.request('POST', '/api/v1/events', { events }).catch(() => null);
      if (res?.status === 200) counts.events += size;
      else fail(`events ${res?.status ?? 'error'}`);
      await sleep(100);
    }
  };
  /** The DigitME2 device route (anonymous from loopback), about 5 a second. */
  const legacy = async () => {
    for (let k = 0; running(); k++) {
      const machineId = machineIds[(k * 7) % MACHINES]!;
      const res = await anonymous
        .request('POST', '/api/machine-state-change', { machine_id: machineId, activity_code_id: codeFor(machineId, k) })
        .catch(() => null);
      if (res?.status === 200) counts.legacy++;
      else fail(`legacy ${res?.status ?? 'error'}`);
      await sleep(200);
    }
  };
  /** OEE reads as the analysis pages make them: a machine, a group, the site; hours, shifts, days. */
  const reader = async (offset: number) => {
    const hour = 3_600_000;
    const shapes = [
      (k: number) => `machineId=${machineIds[k % MACHINES]}&from=${iso(wallMs() - 8 * hour)}&to=${iso(wallMs())}&bucket=hour`,
      (k: number) => `groupId=${groupIds[k % GROUPS]}&from=${iso(wallMs() - 7 * 24 * hour)}&to=${iso(wallMs())}&bucket=day`,
      () => `from=${iso(wallMs() - 24 * hour)}&to=${iso(wallMs())}&bucket=shift`,
      (k: number) => `machineId=${machineIds[k % MACHINES]}&from=${iso(wallMs() - 31 * 24 * hour)}&to=${iso(wallMs())}&bucket=week`,
      () => `from=${iso(wallMs() - 2 * hour)}&to=${iso(wallMs())}`,
    ];
    for (let k = offset; running(); k++) {
      const res = await admin.request('GET', `/api/v1/oee?${shapes[k % shapes.length]!(k)}`).catch(() => null);
      if (res?.status === 200) counts.oee++;
      else fail(`oee ${res?.status ?? 'error'}`);
      await sleep(50);
    }
  };
  const iso = (ms: number) => new Date(ms).toISOString();

  let peakDuringLoad = fresh;
  const sampler = setInterval(() => {
    void memoryOf(pid)
      .then((m) => (peakDuringLoad = Math.max(peakDuringLoad, m.rss)))
      .catch(() => undefined);
  }, 1000);
  const progress = setInterval(() => {
    void memoryOf(pid)
      .then((m) => console.log(`  ${new Date(wallMs()).toISOString().slice(11, 19)} RSS ${mb(m.rss)} MB; ${JSON.stringify(counts)}`))
      .catch(() => undefined);
  }, 60_000);
  await Promise.all([
    ...(LOADS.has('events') ? [devices(), devices(), devices(), devices()] : []),
    ...(LOADS.has('legacy') ? [legacy()] : []),
    ...(LOADS.has('oee') ? [reader(0), reader(1), reader(2), reader(3)] : []),
    sleep(MINUTES * 60_000),
  ]);
  clearInterval(progress);
  clearInterval(sampler);
  if (serverGone) throw new Error('the server exited during the load');

  screens.send({ type: 'stop' });
  const stopped = await fromScreens('stopped');
  console.log(
    `load done: ${counts.events} events, ${counts.legacy} legacy changes, ${counts.oee} OEE reads, ${stopped.received} messages to screens, ${stopped.reconnects} screen reconnects, ${counts.failed} failed requests${failures.size ? ` ${JSON.stringify(Object.fromEntries(failures))}` : ''}`,
  );
  const afterLoad = (await memoryOf(pid)).rss;
  console.log(`stopped: RSS ${mb(afterLoad)} MB; idle for ${IDLE_SECONDS} s`);
  await sleep(IDLE_SECONDS * 1000);
  const idle = await steadyRss(pid);
  const { hwm } = await memoryOf(pid);
  await snapshot('idle');

  const ratio = idle / fresh;
  console.log(`\nRSS fresh ${mb(fresh)} MB, peak ${mb(Math.max(hwm, peakDuringLoad))} MB, idle after the load ${mb(idle)} MB`);
  console.log(`idle / fresh = ${ratio.toFixed(3)} (goal ≤ 1.20: ${ratio <= 1.2 ? 'met' : 'missed'})`);
} finally {
  if (screensProcess?.exitCode === null) screensProcess.kill();
  if (!serverGone) {
    stopping = true;
    server.kill('SIGTERM');
    await Promise.race([serverExit, sleep(30_000)]);
    if (!serverGone) server.kill('SIGKILL');
  }
  await rm(dataDir, { recursive: true, force: true });
}
