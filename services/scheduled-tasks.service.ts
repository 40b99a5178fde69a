import { DateTime } from 'luxon';
import type { Clock } from '../core/clock.js';
import type { VerifyReport } from '../core/schemas/verify.schema.js';
import type { OutboxRepository } from '../db/influx/outbox.repository.js';
import type { CredentialRepository } from '../db/repositories/credential.repository.js';
import type { SiteRepository } from '../db/repositories/site.repository.js';
import type { OeeService } from './oee/oee.service.js';
import type { VerifyService } from './verify.service.js';

const HOUR_MS = 3_600_000;

/** The closed hours of this many days back are kept stored (issue 19: a year asked for is rarely cold). */
const KEEP_STORED_DAYS = 366;
/** Older hours are stored a week at a time (one raw load each, its rows written before the next). */
const STORE_STEP_DAYS = 7;

/** Delivered outbox rows are kept this long (for inspection), then pruned. */
const OUTBOX_KEEP_MS = HOUR_MS;

/**
 * The work of the scheduler's periodic jobs (scheduler/ decides only when they run): OEE roll-ups of
 * finished hours, the nightly verification, and housekeeping. Shift boundaries have their own service
 * (shift-boundary.service.ts).
 */
export class ScheduledTasksService {
  constructor(
    private readonly deps: {
      oee: Pick<OeeService, 'storeClosed'>;
      verify: Pick<VerifyService, 'run'>;
      site: Pick<SiteRepository, 'get'>;
      credentials: Pick<CredentialRepository, 'deleteExpiredSessions'>;
      outbox: Pick<OutboxRepository, 'pruneDelivered'>;
      clock: Clock;
    },
  ) {}

  /**
   * Computes and stores every finished hour (and local day) not stored yet: first those of the last two
   * days, then, a week of local days at a time and newest first, those of the last KEEP_STORED_DAYS
   * (the hours a change deleted, and those nobody asked for yet). A week already stored costs a few
   * sums; the first run after the stored rows were emptied computes them all.
   */
  async closeFinishedHours(): Promise<void> {
    const to = Math.floor(this.deps.clock.now().getTime() / HOUR_MS) * HOUR_MS;
    const recent = to - 48 * HOUR_MS;
    await this.deps.oee.storeClosed(new Date(recent), new Date(to));
    const { timezone } = await this.deps.site.get();
    const day = (ms: number) => DateTime.fromMillis(ms, { zone: timezone }).startOf('day');
    const oldest = day(to).minus({ days: KEEP_STORED_DAYS });
    // The first week ends an hour into the two days (a half-hour grid's hour straddles that edge).
    let end = recent + HOUR_MS;
    for (
      let start = day(recent).minus({ days: STORE_STEP_DAYS });
      end > oldest.toMillis();
      start = start.minus({ days: STORE_STEP_DAYS })
    ) {
      const from = Math.max(start.toMillis(), oldest.toMillis());
      await this.deps.oee.storeClosed(new Date(from), new Date(end));
      end = start.toMillis();
    }
  }

  /** Verifies the previous site-local day (timelines and stored roll-ups) and repairs what differs. */
  async verifyPreviousDay(): Promise<VerifyReport> {
    const { timezone } = await this.deps.site.get();
    const today = DateTime.fromJSDate(this.deps.clock.now(), { zone: timezone }).startOf('day');
    return this.deps.verify.run(
      { userId: null, apiKeyId: null },
      { from: today.minus({ days: 1 }).toJSDate(), to: today.toJSDate(), repair: true },
    );
  }

  /** Prunes delivered outbox rows and expired sessions. */
  async housekeeping(): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.outbox.pruneDelivered(new Date(now.getTime() - OUTBOX_KEEP_MS));
    await this.deps.credentials.deleteExpiredSessions(now);
  }
}
