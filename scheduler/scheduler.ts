import { Agenda, type AgendaBackend, type Job } from 'agenda';
import { PostgresBackend } from '@agendajs/postgres-backend';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { ChangeFeed } from '../db/change-feed.js';
import type { VerifyReport } from '../core/schemas/verify.schema.js';
import type { ShiftBoundaryService } from './shift-boundary.service.js';

/** Job names, and the zod schemas their data must match (checked at the start of each handler). */
export const JOBS = {
  shiftBoundaries: 'shift-boundaries',
  oeeRollup: 'oee-rollup',
  housekeeping: 'housekeeping',
  verify: 'verify-history',
} as const;

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
}

export interface SchedulerOptions {
  databaseUrl: string;
  mongodbUrl?: string | undefined;
  logger: Logger;
  feed: ChangeFeed;
  /** Safety-net polling of shift boundaries (precise runs are scheduled at each next boundary). */
  sweepEvery?: string;
  clock: Clock;
  /** Serialises start-up across instances (Agenda creates its tables on start). */
  serialiseStart: <T>(fn: () => Promise<T>) => Promise<T>;
}

/**
 * Agenda on the app's own PostgreSQL (or MongoDB when MONGODB_URL is set). Agenda's locking runs each
 * job on one instance at a time and hands a crashed instance's job to another after its lock expires.
 */
export class Scheduler {
  private agenda: Agenda | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly tasks: SchedulerTasks,
    private readonly options: SchedulerOptions,
  ) {}

  static async backendFor(databaseUrl: string, mongodbUrl: string | undefined): Promise<{ backend: AgendaBackend; kind: 'postgres' | 'mongo' }> {
    if (mongodbUrl) {
      // Loaded only when configured: without MONGODB_URL nothing touches MongoDB.
      const { MongoBackend } = await import('@agendajs/mongo-backend');
      return { backend: new MongoBackend({ address: mongodbUrl, collection: 'agendaJobs' }), kind: 'mongo' };
    }
    return { backend: new PostgresBackend({ connectionString: databaseUrl, tableName: 'agenda_jobs' }), kind: 'postgres' };
  }

  async start(): Promise<void> {
    await this.tasks.shiftBoundaries.ensureWatermark();
    const { backend, kind } = await Scheduler.backendFor(this.options.databaseUrl, this.options.mongodbUrl);
    // Agenda creates its tables when it connects: one instance at a time, or two starting together collide.
    const agenda = await this.options.serialiseStart(async () => {
      const created = new Agenda({ backend, name: `oee-${process.pid}`, processEvery: '2 seconds', defaultLockLifetime: 5 * 60_000, removeOnComplete: true });
      await created.ready;
      return created;
    });
    agenda.on('error', (err) => this.options.logger.error({ err }, 'scheduler error'));
    agenda.on('fail', (err, job) => this.options.logger.error({ err, job: job.attrs?.name }, 'scheduled job failed'));

    agenda.define(JOBS.shiftBoundaries, async (job: Job) => {
      shiftBoundariesData.parse(job.attrs.data);
      const applied = await this.tasks.shiftBoundaries.applyDue();
      if (applied.length) this.options.logger.info({ applied: applied.length }, 'shift boundaries applied');
      await this.scheduleNextBoundary();
    });
    agenda.define(JOBS.oeeRollup, async (job: Job) => {
      emptyData.parse(job.attrs.data);
      await this.tasks.closeFinishedHours();
    });
    agenda.define(JOBS.housekeeping, async (job: Job) => {
      emptyData.parse(job.attrs.data);
      await this.tasks.housekeeping();
    });
    agenda.define(JOBS.verify, async (job: Job) => {
      emptyData.parse(job.attrs.data);
      await this.verifyPreviousDay();
    });

    await agenda.start();
    this.agenda = agenda;
    await agenda.every(this.options.sweepEvery ?? '1 minute', JOBS.shiftBoundaries, { reason: 'sweep' as const });
    await agenda.every('5 minutes', JOBS.oeeRollup);
    await agenda.every('1 hour', JOBS.housekeeping);
    // Nightly, after the day's last roll-ups are stored.
    await agenda.every('30 2 * * *', JOBS.verify);
    // Catch up at once: boundaries missed while no instance ran are applied in order at their times;
    // the run then schedules itself at the next boundary.
    await this.runBoundariesNow();
    // A pattern, machine or site edit moves boundaries: reschedule at once.
    this.unsubscribe = this.options.feed.subscribe((change) => {
      if (change.kind === 'setup' && ['shift-pattern', 'machine', 'site'].includes(change.entity)) {
        void this.scheduleNextBoundary().catch((err) => this.options.logger.error({ err }, 'rescheduling shift boundaries failed'));
      }
    });
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
    const wallTime = new Date(at.getTime() - (this.options.clock.now().getTime() - Date.now()));
    await this.agenda.create(JOBS.shiftBoundaries, { reason: 'next' as const }).unique({ 'data.reason': 'next' }).schedule(wallTime).save();
  }

  /** Runs the shift-boundary job as soon as possible (catch-up; also used by tests). */
  runBoundariesNow(): Promise<void> {
    return this.scheduleBoundaryRun(this.options.clock.now());
  }

  /** The nightly verification (also run by tests): a warning with the count of repairs when anything differed. */
  async verifyPreviousDay(): Promise<VerifyReport> {
    const report = await this.tasks.verifyPreviousDay();
    const repairs = report.timeline.length + report.rollups.length;
    const summary = { from: report.from, to: report.to, repairs, timelineDifferences: report.timeline.length, rollupDifferences: report.rollups.length, repaired: report.repaired };
    if (repairs > 0) this.options.logger.warn(summary, 'verifier: stored history differed from its recomputation and was repaired');
    else this.options.logger.info(summary, 'verifier: stored history matches its recomputation');
    return report;
  }

  /** Lets running jobs finish (up to `timeoutMs`), then stops. */
  async stop(timeoutMs = 3_000): Promise<void> {
    this.unsubscribe?.();
    if (!this.agenda) return;
    await this.agenda.drain(timeoutMs).catch(() => undefined);
    await this.agenda.stop();
    this.agenda = null;
  }
}
