import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { pino } from 'pino';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../db/embedded-postgres.js';
import { testRunEnv } from '../../env.js';
import type { TestBroker } from '../support/mqtt-broker.js';

/**
 * One copy of the app under test, out of process: its own data directory, its own PostgreSQL (started
 * by the bench, so the bench knows its address and can write history with SQL), and the server as a
 * child process (`node --import tsx main.ts` in that checkout), whose memory is read from /proc.
 */
export interface Target {
  /** 'HEAD', or the rev given to --compare. */
  label: string;
  /** The checkout the server runs from. */
  root: string;
  url: string;
  pid: number;
  adminPassword: string;
  /** SQL against this side's database (rows out). */
  sql: Sql;
  databaseUrl: string;
  /** Whether the checkout has a built web app (pages and the wall screen are served). */
  pages: boolean;
  /** The MQTT broker in the bench process the server subscribes to (mqtt.bench.ts); null when the mqtt part is not run. */
  broker: TestBroker | null;
  memory(): Promise<Memory>;
  /** CPU time (user + system) the server process has used, in ms. */
  cpuMs(): Promise<number>;
  /** CPU time its PostgreSQL (the postmaster, its live backends and the ones it reaped) has used, in ms. */
  pgCpuMs(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Waits until the server is idle: its background work done (the roll-up store after cold reads, the
 * live ticks) and V8 having given back what it frees only once idle (its memory reducer runs some
 * 30 s after allocation quiets down: a full-size cold year's 1.7 GB falls to ~230 MB then). Idle =
 * under 3 % of a core (server and its PostgreSQL together), 45 seconds in a row; at most
 * `maxSeconds`. Returns the seconds waited.
 */
export async function settle(t: Target, maxSeconds: number): Promise<number> {
  const QUIET_SECONDS = 45;
  const started = performance.now();
  let quiet = 0;
  let cpu = (await t.cpuMs()) + (await t.pgCpuMs());
  while (quiet < QUIET_SECONDS && performance.now() - started < maxSeconds * 1000) {
    await sleep(1000);
    const now = (await t.cpuMs()) + (await t.pgCpuMs());
    quiet = now - cpu < 30 ? quiet + 1 : 0;
    cpu = now;
  }
  return Math.round((performance.now() - started) / 100) / 10;
}

export interface Sql {
  query<T = any>(text: string, params?: unknown[]): Promise<T[]>;
}

/** Of the server process only: its PostgreSQL is a separate process, not counted. */
export interface Memory {
  rssMb: number;
  hwmMb: number;
}

const ADMIN_PASSWORD = 'bench-admin-password';

export async function readMemory(pid: number): Promise<Memory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: Math.round(kb('VmRSS') / 102.4) / 10, hwmMb: Math.round(kb('VmHWM') / 102.4) / 10 };
}

/** Fields after the command name, which is in parentheses and may hold spaces: [1] is the ppid, [11] utime (field 14). */
async function statFields(pid: number | string): Promise<string[] | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // it exited meanwhile
  }
}

const ticksToMs = (ticks: number) => (ticks * 1000) / 100;

async function readCpuMs(pid: number): Promise<number> {
  const fields = (await statFields(pid))!;
  return ticksToMs(Number(fields[11]) + Number(fields[12]));
}

/** The postmaster's own and reaped children's CPU (utime, stime, cutime, cstime) plus its live children's. */
async function readPgCpuMs(dataDir: string): Promise<number> {
  const postmaster = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const own = (await statFields(postmaster))!;
  let ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(own[i]), 0);
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = await statFields(entry);
    if (fields && Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticksToMs(ticks);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = performance.now() + 180_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it answered:\n${output()}`);
    try {
      const res = await fetch(`${url}/api/v1/health`);
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await sleep(200);
  }
  throw new Error(`server did not answer /api/v1/health within 180 s:\n${output()}`);
}

export async function startTarget(label: string, root: string, broker: TestBroker | null = null): Promise<Target> {
  const dataDir = await mkdtemp(join(tmpdir(), `oee-bench-${label.replace(/[^\w-]/g, '_')}-`));
  let database: EmbeddedDatabase | null = null;
  let child: ChildProcess | null = null;
  let pool: pg.Pool | null = null;
  const cleanup = async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(30_000).then(() => child!.kill('SIGKILL'))]);
    }
    await pool?.end();
    await database?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    // Running as root, postgres runs as the `postgres` user, which must reach its directory inside.
    await chmod(dataDir, 0o711);
    database = await startEmbeddedPostgres(join(dataDir, 'db'), pino({ level: 'silent' }));
    const port = await freePort();
    let output = '';
    // OEE_BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops (node --cpu-prof).
    const { cpuProfileDir } = testRunEnv();
    const profile = cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', resolve(cpuProfileDir)] : [];
    child = spawn(process.execPath, [...profile, '--import', 'tsx', 'main.ts'], {
      cwd: root,
      // Only these: nothing of the bench's own environment (a DATABASE_URL, a LOG_LEVEL) leaks into the app under test.
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        OEE_DATA_DIR: join(dataDir, 'app'),
        OEE_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LOG_LEVEL: 'warn',
        OEE_DB_POOL_SIZE: '40',
        OEE_DISCOVERY_PORT: '0',
        ...(broker ? { MQTT_URL: broker.url, MQTT_CLIENT_ID: `oee-bench-${label.replace(/[^\w-]/g, '_')}` } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, child, () => output);
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    // An idle connection ended by PostgreSQL stopping (the clean-up of a --compare run) is no failure of the bench.
    pool.on('error', () => undefined);
    const p = pool;
    const pid = child.pid!;
    let pagesServed = false;
    try {
      pagesServed = (await fetch(`${url}/login`)).status === 200;
    } catch {
      pagesServed = false;
    }
    let stopping: Promise<void> | null = null;
    return {
      label,
      root,
      url,
      pid,
      adminPassword: ADMIN_PASSWORD,
      databaseUrl: database.url,
      pages: pagesServed,
      broker,
      sql: { query: async (text, params) => (await p.query(text, params as unknown[])).rows },
      memory: () => readMemory(pid),
      cpuMs: () => readCpuMs(pid),
      pgCpuMs: () => readPgCpuMs(join(dataDir, 'db', 'postgres')),
      stop: () => (stopping ??= cleanup()),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
