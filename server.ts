import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { systemClock, type Clock } from './core/clock.js';
import type pg from 'pg';
import { createDataSource } from './db/data-source.js';
import { connectDatabase } from './db/connect-with-retry.js';
import { sessionSecretFromDataDir } from './services/auth/session-secret.js';
import { DatabaseFaults } from './db/database-faults.js';
import { logSafeError } from './db/log-safe-error.js';
import { guardPool, openSchedulerPool } from './db/pool-guard.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded-postgres.js';
import { migrate, withSchedulerStartLock } from './db/migrate.js';
import { createRepositories } from './db/repositories/index.js';
import { InfluxWriter } from './db/influx/influx-writer.js';
import { influxHealth, OutboxRelay } from './db/influx/outbox-relay.js';
import { OutboxRepository } from './db/influx/outbox.repository.js';
import { seed } from './db/seed.js';
import { influxSettings, mqttSettings, setAdapterNodeEnv, smtpSettings, type Env } from './env.js';
import { createSmtpMailer } from './services/alerts/mailer.js';
import { createAuthenticator } from './services/auth/authenticator.js';
import { hashSecret } from './services/auth/hashing.js';
import { createHttpApp } from './ingest/http-app.js';
import { loadSvelteKitHandler } from './ingest/web/sveltekit-handler.js';
import type { AppServices } from './services/app-services.js';
import { createAppServices } from './services/create-app-services.js';
import type { DirectPersistence } from './services/persistence.js';
import { ChangeFeed } from './services/change-feed.js';
import { ContactTracker } from './services/andon/contacts.js';
import { PgClusterChannel } from './db/cluster-channel.js';
import { createRealtimeServices, type RealtimeDeps } from './services/realtime.services.js';
import { attachRealtime } from './realtime/socket-server.js';
import { attachInputDeviceUpdates } from './realtime/legacy/input-device-updates.js';
import { startDiscoveryResponder } from './ingest/discovery/discovery-responder.js';
import { createScheduler } from './scheduler/index.js';
import { MqttBridge } from './ingest/mqtt/mqtt-bridge.js';
import { MqttIngestService } from './services/mqtt/mqtt-ingest.service.js';
import { LEASE_RENEW_MS, MqttLease } from './services/mqtt/mqtt-lease.js';
import { MqttPublishService } from './services/mqtt/mqtt-publish.service.js';
import { MqttWriter } from './services/mqtt/mqtt-writer.js';
import type { Scheduler, SchedulerStore } from './scheduler/scheduler.js';

/**
 * The composition root: one process, one HTTP port, the roles of OEE_ROLES. `main.ts` calls it with
 * the environment; tests call it with their own database and clock.
 */
export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  dataSource: DataSource;
  /** The InfluxDB outbox (enqueues are no-ops without INFLUX_URL). */
  outbox: OutboxRepository;
  /** null when this process does not run the scheduler role. */
  scheduler: Scheduler | null;
  /** Post-commit changes (tests observe what is published). */
  feed: ChangeFeed;
  /** The alert, shift-report and No data use cases the scheduler runs (tests run them with a pinned clock). */
  andon: Pick<AppServices, 'alerts' | 'alertDeliveries' | 'shiftReports' | 'noDataWatch'>;
  /** The MQTT transport; null without MQTT_URL or the ingest role. */
  mqtt: MqttBridge | null;
  /** Resolves once the OEE hours computed so far are stored (they are written after the answer; tests that read `oee_hourly`). */
  flushRollups(): Promise<void>;
  logger: Logger;
  stop(): Promise<void>;
}

export interface StartOptions {
  env: Env;
  clock?: Clock;
  logger?: Logger;
  /** Serve the built SvelteKit app (off in API-only tests). */
  web?: boolean;
  /** Aborts a start that is waiting for the database (SIGTERM before the app is up). */
  signal?: AbortSignal;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { env } = options;
  const clock = options.clock ?? systemClock;
  // Whatever logger is given, errors are logged without SQL parameters.
  const logger = (options.logger ?? pino({ level: env.LOG_LEVEL, redact: ['req.headers.authorization', 'req.headers.cookie'] })).child(
    {},
    { serializers: { err: logSafeError } },
  );
  const dataDir = resolve(env.OEE_DATA_DIR);
  await mkdir(dataDir, { recursive: true });

  let embedded: EmbeddedDatabase | null = null;
  const cleanups: (() => Promise<void>)[] = [];
  try {
    if (!env.DATABASE_URL) {
      embedded = await startEmbeddedPostgres(dataDir, logger);
      cleanups.push(() => embedded!.stop());
    }
    const databaseUrl = env.DATABASE_URL ?? embedded!.url;
    const databaseFaults = new DatabaseFaults(clock);
    const dataSource = await connectDatabase(
      () => createDataSource({ url: databaseUrl, poolSize: env.OEE_DB_POOL_SIZE, onQueryError: (err) => databaseFaults.note(err) }),
      databaseUrl,
      logger,
      options.signal,
    );
    guardPool((dataSource.driver as unknown as { master: pg.Pool }).master, logger);
    cleanups.unshift(() => dataSource.destroy());

    await migrate(dataSource, () =>
      seed(dataSource, { adminPassword: env.OEE_ADMIN_PASSWORD, timezone: localTimeZone(), hashSecret, logger }),
    );

    // Every committed change also reaches the other instances sharing the database.
    const channel = new PgClusterChannel(databaseUrl, logger);
    cleanups.unshift(() => channel.close());
    await channel.start();
    const feed = new ChangeFeed();
    feed.attach(channel);
    cleanups.unshift(async () => feed.detachChannel());
    const repos = createRepositories(dataSource, feed, { preparedStatements: env.OEE_DB_PREPARED_STATEMENTS === 'on' });
    const influxConfig = influxSettings(env);
    const outbox = new OutboxRepository(dataSource, { enabled: influxConfig !== null });
    const influxRelay = influxConfig
      ? new OutboxRelay({ dataSource, outbox, writer: new InfluxWriter(influxConfig), logger }).start()
      : null;
    if (influxRelay) cleanups.unshift(() => influxRelay.stop());
    const sessionSecret = env.OEE_SESSION_SECRET ?? (await sessionSecretFromDataDir(dataDir));
    const authenticator = createAuthenticator(repos.credentials, sessionSecret, clock);
    authenticator.listen(feed);
    let mqtt: MqttBridge | null = null;
    const health: AppServices['health'] = async () => {
      const reachable = await dataSource.query('SELECT 1').then(
        () => true,
        () => false,
      );
      const fault = reachable ? databaseFaults.current() : null;
      const database = !reachable ? 'unavailable' : fault ? 'out_of_resources' : 'ok';
      const influx = await influxHealth(influxRelay, outbox);
      const reason = !reachable ? 'PostgreSQL does not answer' : fault?.reason;
      // Only the subscriber's connection counts: a standby instance is healthy.
      const mqttDown = mqtt !== null && mqtt.isSubscriber && mqtt.status !== 'connected';
      return {
        status: database === 'ok' && !influx.degraded && !mqttDown ? 'ok' : 'degraded',
        database,
        ...influx.report,
        ...(mqtt ? { mqtt: mqtt.status } : {}),
        ...(reason ? { reason } : {}),
      };
    };
    const persistence: DirectPersistence = { dataSource, repos, timeline: repos.timeline };
    const smtp = smtpSettings(env);
    const mailer = smtp ? createSmtpMailer(smtp) : null;
    if (mailer) cleanups.unshift(async () => mailer.close());
    // Last contacts in memory, flushed every few seconds (docs/oee.md "No data"); a last flush on stop.
    const contacts = new ContactTracker(repos.andon, clock, logger).start();
    cleanups.unshift(() => contacts.stop());
    const services = createAppServices(persistence, {
      contacts,
      feed,
      outbox,
      authenticator,
      sessionSecret,
      legacyAnonymous: env.OEE_LEGACY_ANONYMOUS,
      clock,
      logger,
      health,
      mailer,
    });

    // Stored OEE roll-ups follow every committed change of history.
    services.oee.listen(feed);
    // Computed hours still queued are written before the pool closes.
    cleanups.unshift(() => services.oee.flushRollups());

    // MQTT in and out (docs/mqtt.md): on every ingest instance, subscribing only while it holds the lease.
    const mqttConnection = mqttSettings(env);
    if (mqttConnection && env.OEE_ROLES.includes('ingest')) {
      const mqttLogger = logger.child({ component: 'mqtt' });
      const writer = new MqttWriter(services.stateEvents, services.production, repos.mqtt, clock, mqttLogger);
      const bridge = new MqttBridge({
        connection: mqttConnection,
        ingest: new MqttIngestService(repos.mqtt, writer, mqttLogger, () => repos.andon.noDataCodeId(), clock),
        lease: new MqttLease(repos.mqtt),
        feed,
        publisher: env.MQTT_PUBLISH_PREFIX ? new MqttPublishService(repos.mqtt, services.oee, env.MQTT_PUBLISH_PREFIX) : null,
        logger: mqttLogger,
        renewMs: LEASE_RENEW_MS,
      }).start();
      mqtt = bridge;
      cleanups.unshift(() => bridge.stop());
    }

    // What this instance serves over HTTP, by its roles (docs/operations.md, "Several instances").
    const serves = { api: env.OEE_ROLES.includes('ingest'), pages: env.OEE_ROLES.includes('web') };
    const webHandler = options.web !== false && serves.pages ? await loadSvelteKitHandler(logger, setAdapterNodeEnv) : undefined;
    const { app } = createHttpApp(services, {
      serves,
      trustProxy: env.OEE_TRUST_PROXY,
      allowedHosts: env.OEE_ALLOWED_HOSTS,
      frameAncestors: env.OEE_FRAME_ANCESTORS,
      ...(webHandler ? { webHandler } : {}),
    });
    const server = createServer(app);
    // realtime/ gets the services and its own socket services, which are built here with the persistence
    // they query (services/realtime.services.ts): realtime/ itself reaches no table.
    const realtimeDeps: RealtimeDeps = { ...services, ...createRealtimeServices({ ...services, ...persistence }) };
    const realtime = env.OEE_ROLES.includes('realtime') ? attachRealtime(server, realtimeDeps, channel) : null;
    // The DigitME2 tablets' plain websocket, beside Socket.IO on the same port.
    const inputDevices = realtime
      ? attachInputDeviceUpdates(server, realtimeDeps, {
          mode: env.OEE_LEGACY_ANONYMOUS,
          allowedHosts: env.OEE_ALLOWED_HOSTS,
          trustProxy: app.get('trust proxy fn') as (address: string, hop: number) => boolean,
        })
      : null;
    // Started before the port opens: after a restart every screen and tablet reconnects at once, and
    // the scheduler's start (its tables, catch-up of missed boundaries) should not compete with them.
    let scheduler: Scheduler | null = null;
    if (env.OEE_ROLES.includes('scheduler')) {
      let store: SchedulerStore;
      if (env.MONGODB_URL) store = { mongodbUrl: env.MONGODB_URL };
      else {
        const agendaPool = openSchedulerPool(databaseUrl, logger);
        cleanups.unshift(() => agendaPool.close());
        store = { pool: agendaPool.pool };
      }
      const started = createScheduler(services, { store, serialiseStart: (fn) => withSchedulerStartLock(dataSource, fn) });
      await started.start();
      // Before the pool closes (cleanups run first to last).
      cleanups.unshift(() => started.stop());
      scheduler = started;
    }
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 120_000;
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(env.PORT, env.HOST, () => resolveListen());
    });
    const port = (server.address() as AddressInfo).port;
    cleanups.unshift(() => closeServer(server));
    // Sockets first: open websockets would otherwise hold the HTTP server open.
    if (realtime) cleanups.unshift(() => realtime.close());
    if (inputDevices) cleanups.unshift(() => inputDevices.close());
    // DigitME2 tablets find the server by UDP broadcast, on the interfaces HOST names (a port in use only logs a warning).
    if (env.OEE_ROLES.includes('ingest') && env.OEE_DISCOVERY_PORT > 0) {
      const discovery = await startDiscoveryResponder({
        port: env.OEE_DISCOVERY_PORT,
        host: env.HOST,
        advertisedPort: env.OEE_PUBLIC_PORT ?? port,
        logger,
      });
      cleanups.unshift(() => discovery.close());
    }
    const host = env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST;
    logger.info({ port, roles: env.OEE_ROLES }, 'OEE Monitor listening');

    let stopping: Promise<void> | null = null;
    return {
      url: `http://${host}:${port}`,
      port,
      server,
      dataSource,
      outbox,
      scheduler,
      feed,
      andon: {
        alerts: services.alerts,
        alertDeliveries: services.alertDeliveries,
        shiftReports: services.shiftReports,
        noDataWatch: services.noDataWatch,
      },
      mqtt,
      logger,
      flushRollups: () => services.oee.flushRollups(),
      stop: () => (stopping ??= runAll(cleanups, logger)),
    };
  } catch (err) {
    await runAll(cleanups, logger);
    throw err;
  }
}

async function runAll(cleanups: (() => Promise<void>)[], logger: Logger): Promise<void> {
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch (err) {
      logger.error({ err }, 'error during shutdown');
    }
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    server.closeIdleConnections();
    // Requests still running get a few seconds, then their sockets are closed.
    setTimeout(() => server.closeAllConnections(), 5_000).unref();
  });
}

function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
