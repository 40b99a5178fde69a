import type { EntityManager } from 'typeorm';
import { AppError, type ErrorIssue } from '../core/errors.js';
import { EARLIEST_WRITE_AT, judgeWriteTime, type Sender } from '../core/live-window.js';
import type { AuditRepository } from '../db/repositories/audit.repository.js';
import type { ShopFloorRepository } from '../db/repositories/shop-floor.repository.js';

/** One timed write of a request: a state event or a production record. */
export interface TimedWrite {
  machineId: number;
  at: Date;
  sender: Sender;
  /** Where `at` sits in the request, for the error's issues. */
  path: (string | number)[];
  /** What the audit entry says was written. */
  summary: Record<string, unknown>;
  /** False when the write is audited elsewhere (a correction). */
  audit: boolean;
  /** The caller's id for the write: a retry of one already stored is a duplicate, never refused. */
  eventId: string | null;
}

/** The shortest live window a site may set (setup schema): writes newer than this need no look-up. */
const MIN_WINDOW_MS = 86_400_000;

/**
 * Enforces how far back a write may reach (core/live-window): before EARLIEST_WRITE_AT is a 400 for
 * anyone; before the site's live window is a 403 unless the sender is a supervisor, an admin or
 * the system, and a person's back-dated write gets an audit entry, as a correction does.
 */
export class LiveWindowGuard {
  constructor(
    private readonly shopFloor: ShopFloorRepository,
    private readonly audit: AuditRepository,
  ) {}

  /** Throws when a write is refused; returns the back-dated writes to audit once they are stored. */
  async check(tx: EntityManager, table: 'state_events' | 'production_records', writes: TimedWrite[], now: Date): Promise<TimedWrite[]> {
    let oldest = Infinity;
    for (const w of writes) oldest = Math.min(oldest, w.at.getTime());
    if (!(oldest < now.getTime() - MIN_WINDOW_MS)) return [];
    const days = await this.shopFloor.liveWindowDays(tx);
    const tooEarly: ErrorIssue[] = [];
    const refused: TimedWrite[] = [];
    const backdated: TimedWrite[] = [];
    for (const w of writes) {
      const verdict = judgeWriteTime(w.at, now, days, w.sender);
      if (verdict === 'before-earliest') tooEarly.push({ path: w.path, message: `must not be before ${EARLIEST_WRITE_AT.toISOString()}` });
      else if (verdict === 'before-live-window') refused.push(w);
      else if (verdict === 'backdated' && w.audit && w.sender.actor) backdated.push(w);
    }
    if (tooEarly.length)
      throw AppError.invalid(
        `A time before ${EARLIEST_WRITE_AT.toISOString()} is never real (a device clock without its battery?)`,
        tooEarly,
      );
    // A device retrying what it sent while it was still inside the window gets its duplicate answer.
    const keys = refused.filter((w) => w.eventId !== null).map((w) => ({ machineId: w.machineId, eventId: w.eventId! }));
    const known = keys.length ? await this.shopFloor.storedEventIds(tx, table, keys) : new Set<string>();
    const stillRefused = refused.filter((w) => w.eventId === null || !known.has(`${w.machineId}\u0000${w.eventId}`));
    if (stillRefused.length) {
      throw new AppError(
        'forbidden',
        403,
        `History more than ${days} days back (the site's live window) may only be written by a supervisor`,
        stillRefused.map((w) => ({ path: w.path, message: `more than ${days} days back (the site's live window)` })),
      );
    }
    return backdated;
  }

  /** One audit entry per machine and sender for the back-dated writes that were stored. */
  async record(tx: EntityManager, action: 'events.backdate' | 'production.backdate', writes: TimedWrite[]): Promise<void> {
    const groups = new Map<string, TimedWrite[]>();
    for (const w of writes) {
      const key = `${w.machineId}\u0000${w.sender.label}`;
      groups.set(key, [...(groups.get(key) ?? []), w]);
    }
    for (const group of groups.values()) {
      const { machineId, sender } = group[0]!;
      await this.audit.record(tx, sender.actor!, {
        action,
        entity: 'machine',
        entityId: machineId,
        machineId,
        after: { sender: sender.label, writes: group.map((w) => ({ at: w.at.toISOString(), ...w.summary })) },
      });
    }
  }
}
