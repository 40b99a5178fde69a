import { Agenda, type AgendaBackend, type Job, type NotificationChannel } from 'agenda';
import { PostgresBackend, PostgresNotificationChannel } from '@agendajs/postgres-backend';
import type pg from 'pg';
import type { Logger } from 'pino';
import { z } from 'zod';
import { systemClock, type Clock } from '../core/clock.js';
import type { ChangeFeed } from '../services/change-feed.js';
import { databaseFailure } from '../services/database-failure.js';
import type { VerifyReport } from '../core/schemas/verify.schema.js';
import type { ShiftBoundaryService } from '../services/shift-boundary.service.js';

/** Job names, and the zod schemas their data must match (checked at the start of each handler). */
export const JOBS = {
  shiftBoundaries: 'shift-boundaries',
  oeeRollup: 'oee-rollup',
  housekeeping: 'housekeeping',
  verify: 'verify-history',
  alerts: 'alerts',
  shiftReports: 'shift-reports',
  noData: 'no-data-watch',
} as const;

/** A tick of alerts or shift reports that died keeps its lock this long; the rows they work on are claimed in PostgreSQL, so a second run is harmless. */
const ANDON_LOCK_MS = 2 * 60_000;

/**
 * A shift-boundary run that died with the database keeps its lock until this passes; running it twice
 * is harmless (the watermark row is locked while applying), so the lock is short.
 */
const SHIFT_BOUNDARIES_LOCK_MS = 60_000;

/** While the database is away Agenda reports every failed poll; one line per this period is enough. */
const OUTAGE_LOG_EVERY_MS = 60_000;

const shiftBoundariesData = z.object({ reason: z.enum(['sweep', 'next']).optional() }).nullish();
const emptyData = z.object({}).strict().nullish();

export interface SchedulerTasks {
  shiftBoundaries: ShiftBoundaryService;
  /** Computes and stores the OEE elements of finished hours. */
  closeFinishedHours(): Promise<void>;
  /** Prunes delivered outbox rows and expired sessions. */
  housekeeping(): Promise<void>;
  /** Verifies the previous local day (timelines and stored roll-ups) and repairs what differs. */
  verifyPreviousDay(): Promise<VerifyReport>;
  /** Evaluates the alert rules, then sends the due deliveries (docs/alerts.md). */
  alerts(): Promise<void>;
  /** Plans the reports of ended shifts and sends the due ones. */
  shiftReports(): Promise<void>;
  /** Silent machines into No data, heard-from ones back (docs/oee.md "No data"). */
  watchSilence(): Promise<unknown>;
}

/**
 * Where Agenda keeps its jobs: a pool on the app's PostgreSQL, built, guarded and closed by the
 * composition root (db/pool-guard.ts), or MongoDB when MONGODB_URL is set.
 */
export type SchedulerStore = { pool: pg.Pool } | { mongodbUrl: string };

export interface SchedulerOptions {
  store: SchedulerStore;
  logger: Logger;
  feed: ChangeFeed;
  /** Safety-net polling of shift boundaries (precise runs are scheduled at each next boundary). */
  sweepEvery?: string;
  /** How often alert rules are evaluated and deliveries sent. */
  alertsEvery?: string;
  clock: Clock;
  /** Serialises start-up across instances (Agenda creates its tables on start). */
  serialiseStart: <T>(fn: () => Promise<T>) => Promise<T>;
}

interface SchedulerBackend {
  backend: AgendaBackend;
  kind: 'postgres' | 'mongo';
  /** PostgreSQL's LISTEN channel; null on MongoDB (Agenda polls). */
  channel: PostgresNotificationChannel | null;
}

/**
 * Agenda on the app's own PostgreSQL (or MongoDB when MONGODB_URL is set). Agenda's locking runs each
 * job on one instance at a time and hands a crashed instance's job to another after its lock expires.
 */
export class Scheduler {
  private agenda: Agenda | null = null;
  private unsubscribe: (() => void) | null = null;
  private lastOutageLog = Number.NEGATIVE_INFINITY;
  private connectionLost = false;

  constructor(
    private readonly tasks: SchedulerTasks,
    private readonly options: SchedulerOptions,
  ) {}

  /**
   * The Agenda backend. On PostgreSQL, on the pool it is given, with a LISTEN channel that reconnects
   * by itself once a second until the database is back.
   */
  static async backendFor(store: SchedulerStore): Promise<SchedulerBackend> {
    if ('mongodbUrl' in store) {
      // Loaded only when configured: without MONGODB_URL nothing touches MongoDB.
      const { MongoBackend } = await import('@agendajs/mongo-backend');
      return { backend: new MongoBackend({ address: store.mongodbUrl, collection: 'agendaJobs' }), kind: 'mongo', channel: null };
    }
    const { pool } = store;
    // The backend's own channel retries every 100 ms and has no way to be told otherwise.
    const channel = new PostgresNotificationChannel({
      pool,
      reconnect: { enabled: true, initialDelayMs: 1_000, maxDelayMs: 30_000, maxAttempts: Number.MAX_SAFE_INTEGER },
    });
    return { backend: new PostgresBackend({ pool, tableName: 'agenda_jobs', disableNotifications: true }), kind: 'postgres', channel };
  }

  async start(): Promise<void> {
    await this.tasks.shiftBoundaries.ensureWatermark();
    const { backend, kind, channel } = await Scheduler.backendFor(this.options.store);
    // Agenda creates its tables when it connects: one instance at a time, or two starting together collide.
    const agenda = await this.options.serialiseStart(async () => {
      const created = new Agenda({
        backend,
        ...(channel ? { notificationChannel: channel } : {}),
        name: `oee-${process.pid}`,
        processEvery: '2 seconds',
        defaultLockLifetime: 5 * 60_000,
        removeOnComplete: true,
      });
      await created.ready;
      return created;
    });
    agenda.on('error', (err: unknown) => this.logFailure(err, 'scheduler error'));
    agenda.on('fail', (err: unknown, job: Job) => this.logFailure(err, 'scheduled job failed', job.attrs?.name));
    if (channel) this.watchChannel(channel);

    agenda.define(
      JOBS.shiftBoundaries,
      async (job: Job) => {
        shiftBoundariesData.parse(job.attrs.data);
        const applied = await this.tasks.shiftBoundaries.applyDue();
        if (applied.length) this.options.logger.info({ applied: applied.length }, 'shift boundaries applied');
        await this.scheduleNextBoundary();
      },
      { lockLifetime: SHIFT_BOUNDARIES_LOCK_MS },
    );
    agenda.define(JOBS.oeeRollup, async (job: Job) => {
      emptyData.parse(job.attrs.data);
      await this.tasks.closeFinishedHours();
    });
    agenda.define(JOBS.housekeeping, async (job: Job) => {
      emptyData.parse(job.attrs.data);
      await this.tasks.housekeeping();
    });
    // Short lock: a run is a few queries, and a second run decides the same (its writes are duplicates).
    agenda.define(
      JOBS.noData,
      async (job: Job) => {
        emptyData.parse(job.attrs.data);
        await this.tasks.watchSilence();
      },
      { lockLifetime: 30_000 },
    );
    agenda.define(JOBS.verify, async (job: Job) => {
      emptyData.parse(job.attrs.data);
      await this.verifyPreviousDay();
    });

    agenda.define(
      JOBS.alerts,
      async (job: Job) => {
        emptyData.parse(job.attrs.data);
        await this.tasks.alerts();
      },
      { lockLifetime: ANDON_LOCK_MS },
    );
    agenda.define(
      JOBS.shiftReports,
      async (job: Job) => {
        emptyData.parse(job.attrs.data);
        await this.tasks.shiftReports();
      },
      { lockLifetime: ANDON_LOCK_MS },
    );

    await agenda.start();
    this.agenda = agenda;
    await agenda.every(this.options.sweepEvery ?? '1 minute', JOBS.shiftBoundaries, { reason: 'sweep' as const });
    // Not at once: a restart is when every screen and tablet reconnects, and a roll-up of two days of
    // every machine would compete with them. Readers compute what is not stored yet.
    await agenda.every('5 minutes', JOBS.oeeRollup, undefined, { skipImmediate: true });
    await agenda.every('1 hour', JOBS.housekeeping, undefined, { skipImmediate: true });
    await agenda.every('5 seconds', JOBS.noData, undefined, { skipImmediate: true });
    // Nightly, after the day's last roll-ups are stored.
    await agenda.every('30 2 * * *', JOBS.verify, undefined, { skipImmediate: true });
    // Alerts every 15 s; shift reports every minute, at once after a start (catch-up after downtime).
    await agenda.every(this.options.alertsEvery ?? '15 seconds', JOBS.alerts);
    await agenda.every('1 minute', JOBS.shiftReports);
    // Catch up at once: boundaries missed while no instance ran are applied in order at their times;
    // the run then schedules itself at the next boundary.
    await this.runBoundariesNow();
    // A pattern, machine or site edit moves boundaries: reschedule at once.
    // Edits on any instance: the scheduler may run on another one than the set-up page's.
    this.unsubscribe = this.options.feed.subscribe(
      (change) => {
        if (change.kind === 'setup' && ['shift-pattern', 'machine', 'site'].includes(change.entity)) {
          void this.scheduleNextBoundary().catch((err) => this.options.logger.error({ err }, 'rescheduling shift boundaries failed'));
        }
      },
      { remote: true },
    );
    this.options.logger.info({ backend: kind }, 'scheduler started');
  }

  /** Schedules the precise run at the next boundary. */
  async scheduleNextBoundary(): Promise<void> {
    const next = await this.tasks.shiftBoundaries.nextBoundary();
    if (next) await this.scheduleBoundaryRun(next);
  }

  /** One pending precise run (upserted by its data, so there is one, not one per call). */
  private async scheduleBoundaryRun(at: Date): Promise<void> {
    if (!this.agenda) return;
    // Agenda runs on wall time; the app's clock may be shifted (tests), so convert.
    const wallTime = new Date(at.getTime() - (this.options.clock.now().getTime() - systemClock.now().getTime()));
    const save = () =>
      this.agenda!.create(JOBS.shiftBoundaries, { reason: 'next' as const })
        .unique({ 'data.reason': 'next' })
        .schedule(wallTime)
        .save();
    // The upsert finds the pending run, then updates it: when another instance finished and removed
    // that run in between, the library fails on the missing row. A second try inserts a new one.
    await save().catch(save);
  }

  /** Runs the shift-boundary job as soon as possible (catch-up; also used by tests). */
  runBoundariesNow(): Promise<void> {
    return this.scheduleBoundaryRun(this.options.clock.now());
  }

  /** Runs the alerts job as soon as possible (tests; the job also runs every 15 s). */
  async runAlertsNow(): Promise<void> {
    await this.agenda?.now(JOBS.alerts, undefined);
  }

  /** The No data watcher, now (tests; Agenda runs it every 5 seconds). */
  watchSilenceNow(): Promise<unknown> {
    return this.tasks.watchSilence();
  }

  /** Applies the boundaries missed while the database was away, then schedules the next one. */
  async catchUp(): Promise<void> {
    const applied = await this.tasks.shiftBoundaries.applyDue();
    if (applied.length) this.options.logger.info({ applied: applied.length }, 'shift boundaries applied after the database came back');
    await this.scheduleNextBoundary();
  }

  /**
   * The LISTEN channel is the one connection that notices a lost database at once and the return
   * of it: say so once each way, and catch up on return (a run that failed with the database is not
   * retried by Agenda, and its lock holds it for a while).
   */
  private watchChannel(channel: NotificationChannel & { on(event: string, listener: (...args: unknown[]) => void): unknown }): void {
    channel.on('error', (err: unknown) => {
      if (!this.connectionLost) this.logFailure(err, 'scheduler notification channel error');
    });
    channel.on('stateChange', (state: unknown) => {
      if (state === 'reconnecting' && !this.connectionLost) {
        this.connectionLost = true;
        this.options.logger.warn('scheduler: lost the database; jobs wait until it is back');
      } else if (state === 'connected' && this.connectionLost) {
        this.connectionLost = false;
        this.lastOutageLog = Number.NEGATIVE_INFINITY;
        this.options.logger.info('scheduler: the database is back; catching up');
        void this.catchUp().catch((err: unknown) => this.logFailure(err, 'scheduler catch-up failed'));
      }
    });
  }

  /** Failures are logged; while the database is away, once a minute rather than at every poll. */
  private logFailure(err: unknown, message: string, job?: string): void {
    if (databaseFailure(err)?.kind === 'unavailable') {
      const now = performance.now();
      if (now - this.lastOutageLog < OUTAGE_LOG_EVERY_MS) return;
      this.lastOutageLog = now;
      this.options.logger.warn({ err: (err as Error).message, job }, `${message}: the database is unavailable`);
      return;
    }
    this.options.logger.error({ err, job }, message);
  }

  /** The nightly verification (also run by tests): a warning with the count of repairs when anything differed. */
  async verifyPreviousDay(): Promise<VerifyReport> {
    const report = await this.tasks.verifyPreviousDay();
    const repairs = report.timeline.length + report.rollups.length;
    const summary = {
      from: report.from,
      to: report.to,
      repairs,
      timelineDifferences: report.timeline.length,
      rollupDifferences: report.rollups.length,
      repaired: report.repaired,
    };
    if (repairs > 0) this.options.logger.warn(summary, 'verifier: stored history differed from its recomputation and was repaired');
    else this.options.logger.info(summary, 'verifier: stored history matches its recomputation');
    return report;
  }

  /** Lets running jobs finish (up to `timeoutMs`), then stops (the store's pool is its owner's to close). */
  async stop(timeoutMs = 3_000): Promise<void> {
    this.unsubscribe?.();
    if (this.agenda) {
      await this.agenda.drain(timeoutMs).catch(() => undefined);
      await this.agenda.stop().catch((err: unknown) => this.logFailure(err, 'scheduler stop failed'));
      this.agenda = null;
    }
  }
}
