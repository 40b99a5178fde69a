import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, spawnApp, waitForHealth, type AppProcess } from '../support/app-process.js';
import { ApiClient } from '../support/http-client.js';
import { ADMIN_PASSWORD, createTestDatabase } from '../support/test-app.js';

/**
 * PostgreSQL is not there when the process (every role) starts: it says so once per attempt with
 * growing waits, answers SIGTERM at once during the wait (exit 0), and starts by itself once the
 * database appears.
 */
const apps: AppProcess[] = [];
const dirs: string[] = [];
let proxy: Server | null = null;
const proxied: Socket[] = [];
afterAll(async () => {
  for (const app of apps) if (app.child.exitCode === null) app.child.kill('SIGKILL');
  for (const s of proxied) s.destroy();
  await new Promise((r) => (proxy ? proxy.close(r) : r(null)));
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function waitForOutput(app: AppProcess, pattern: RegExp, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!pattern.test(app.output())) {
    if (app.child.exitCode !== null) throw new Error(`exited with ${app.child.exitCode} before ${pattern}:\n${app.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${seconds} s:\n${app.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function appEnv(databaseUrl: string): Promise<Record<string, string>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oee-db-down-'));
  dirs.push(dataDir);
  return {
    PORT: String(await freePort()),
    DATABASE_URL: databaseUrl,
    OEE_DATA_DIR: dataDir,
    OEE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    OEE_SESSION_SECRET: 'd'.repeat(40),
  };
}

describe('PostgreSQL down at start', () => {
  it('retries with growing waits, one clear line each, and exits 0 at once on SIGTERM', async () => {
    const closedPort = await freePort();
    const app = spawnApp(await appEnv(`postgres://oee:secret@127.0.0.1:${closedPort}/oee`));
    apps.push(app);
    await waitForOutput(app, /retrying in 4s/, 60);
    const where = `database not reachable at 127.0.0.1:${closedPort} \\(ECONNREFUSED\\)`;
    expect(app.output()).toMatch(new RegExp(`${where}, retrying in 1s`));
    expect(app.output()).toMatch(new RegExp(`${where}, retrying in 2s`));
    expect(app.output()).not.toContain('secret');

    // SIGTERM during the 4 s wait: the process ends there, before another attempt.
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(app.output()).not.toMatch(/retrying in 8s/);
    expect(app.output()).toContain('SIGTERM: stopped while waiting for the database');
  }, 90_000);

  it('starts by itself once the database appears', async () => {
    const databaseUrl = new URL(await createTestDatabase());
    const proxyPort = await freePort();
    const target = { host: databaseUrl.hostname, port: Number(databaseUrl.port) };
    const viaProxy = new URL(databaseUrl);
    viaProxy.port = String(proxyPort);
    const app = spawnApp(await appEnv(viaProxy.toString()));
    apps.push(app);
    await waitForOutput(app, new RegExp(`database not reachable at 127.0.0.1:${proxyPort} \\(ECONNREFUSED\\), retrying in 1s`), 60);

    // The database "comes up": its port starts answering.
    proxy = createServer((client) => {
      const upstream = connect(target);
      proxied.push(client, upstream);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((r) => proxy!.listen(proxyPort, '127.0.0.1', () => r()));
    await waitForHealth(app.url, 90);
    const admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
    expect((await admin.post('/api/v1/machines', { name: 'Late database' })).status).toBe(201);
    expect((await admin.get('/api/v1/health')).body).toMatchObject({ status: 'ok', database: 'ok' });

    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  }, 150_000);
});
