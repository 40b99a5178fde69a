import type { DataSource } from 'typeorm';
import { shiftBoundaries, type ShiftBoundary } from '../core/calendar/index.js';
import type { Clock } from '../core/clock.js';
import { systemSender } from '../core/live-window.js';
import type { ChangeFeed } from './change-feed.js';
import type { SchedulerRepository } from '../db/repositories/scheduler.repository.js';
import type { SiteRepository } from '../db/repositories/site.repository.js';
import type { ShopFloorRepository } from '../db/repositories/shop-floor.repository.js';
import type { JobService } from './job.service.js';

const MARKER = 'shift-boundaries-applied-until';

export interface AppliedBoundary {
  machineId: number;
  at: string;
  kind: 'start' | 'end';
  endedJobId: number | null;
}

/**
 * Applies every shift start and end of every machine's calendar, in time order, at its real time:
 * a shift end ends the running job of machines with `endJobOnShiftEnd` (stamped at the boundary, not
 * when this runs), and each boundary announces the flip of `offShift`. Boundaries up to a durable
 * watermark are done, so a restart catches up what it missed and a second run (or instance) does
 * nothing twice: the watermark row is locked while applying, and each job end carries an eventId
 * derived from the boundary.
 */
export class ShiftBoundaryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scheduler: SchedulerRepository,
    private readonly site: SiteRepository,
    private readonly shopFloor: ShopFloorRepository,
    private readonly jobs: JobService,
    private readonly feed: ChangeFeed,
    private readonly clock: Clock,
  ) {}

  /** At the scheduler's very first start, history before now is not ours to rewrite: start the watermark here. */
  async ensureWatermark(): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      if ((await this.scheduler.lockMarker(tx, MARKER)) === null) await this.scheduler.setMarker(tx, MARKER, this.clock.now());
    });
  }

  async applyDue(): Promise<AppliedBoundary[]> {
    const applied: AppliedBoundary[] = [];
    await this.dataSource.transaction(async (tx) => {
      const now = this.clock.now();
      const since = await this.scheduler.lockMarker(tx, MARKER);
      if (since === null || since.getTime() >= now.getTime()) return;
      for (const b of await this.due(since, now)) applied.push(await this.apply(b));
      await this.scheduler.setMarker(tx, MARKER, now);
    });
    for (const a of applied) this.feed.publish({ kind: 'shift', machineId: a.machineId, offShift: a.kind === 'end', at: a.at });
    return applied;
  }

  /** The next boundary after now of any machine (for precise scheduling), or null. */
  async nextBoundary(horizonDays = 8): Promise<Date | null> {
    const now = this.clock.now();
    const until = new Date(now.getTime() + horizonDays * 86_400_000);
    const next = (await this.due(now, until))[0];
    return next ? next.at : null;
  }

  /** Boundaries in (since, until], all machines, oldest first; a shift end before a start at the same instant. */
  private async due(since: Date, until: Date): Promise<(ShiftBoundary & { machineId: number; endJobOnShiftEnd: boolean })[]> {
    const { timezone } = await this.site.get();
    const from = new Date(since.getTime() + 1);
    const to = new Date(until.getTime() + 1);
    const all = (await this.scheduler.machinesWithPatterns()).flatMap((m) =>
      shiftBoundaries(m.pattern, timezone, from, to).map((b) => ({ ...b, machineId: m.id, endJobOnShiftEnd: m.endJobOnShiftEnd })),
    );
    return all.sort(
      (a, b) => a.at.getTime() - b.at.getTime() || (a.kind === b.kind ? a.machineId - b.machineId : a.kind === 'end' ? -1 : 1),
    );
  }

  private async apply(b: ShiftBoundary & { machineId: number; endJobOnShiftEnd: boolean }): Promise<AppliedBoundary> {
    let endedJobId: number | null = null;
    if (b.kind === 'end' && b.endJobOnShiftEnd) {
      const running = await this.shopFloor.runningJob(this.dataSource.manager, b.machineId);
      if (running && running.start.getTime() < b.at.getTime()) {
        const job = await this.jobs.end({
          machineId: b.machineId,
          at: b.at,
          eventId: `shift-end:${b.machineId}:${b.at.toISOString()}`,
          source: 'scheduler',
          sender: systemSender('scheduler'),
        });
        endedJobId = job.id;
      }
    }
    return { machineId: b.machineId, at: b.at.toISOString(), kind: b.kind, endedJobId };
  }
}
