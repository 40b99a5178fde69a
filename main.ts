import { EnvError, loadEnv } from './env.js';
import { startServer, type RunningServer } from './server.js';

/** `npm start`: the whole system on one port, stopped cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let env;
  try {
    env = loadEnv();
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  // Handlers first: a signal that arrives while the app waits for its database ends the wait (exit 0);
  // one that arrives later in the start stops the app once it has started.
  let running: RunningServer | null = null;
  let signal: string | null = null;
  const starting = new AbortController();
  const shutdown = () => {
    if (!running) {
      starting.abort();
      return;
    }
    running.logger.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), 30_000).unref();
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  for (const name of ['SIGINT', 'SIGTERM'] as const) {
    process.on(name, () => {
      if (signal) return;
      signal = name;
      shutdown();
    });
  }
  try {
    running = await startServer({ env, signal: starting.signal });
  } catch (err) {
    if (starting.signal.aborted) {
      console.error(`${signal}: stopped while waiting for the database`);
      process.exit(0);
    }
    throw err;
  }
  if (signal) shutdown();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
