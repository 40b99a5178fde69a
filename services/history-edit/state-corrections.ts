import type { EntityManager } from 'typeorm';
import { AppError } from '../../core/errors.js';
import { editSender } from '../../core/live-window.js';
import type { CorrectionPreview } from '../../core/schemas/history-edit.schema.js';
import { BUILT_IN_CODES } from '../../core/state/built-in-codes.js';
import { correctionMoves } from '../../core/state/correction-moves.js';
import { checkStateChange } from '../../core/state/machine-state.rules.js';
import type { CommittedChange } from '../change-feed.js';
import type { Actor } from '../../db/repositories/audit.repository.js';
import type { StoredEvent } from '../../db/repositories/history-edit.repository.js';
import { intervalView, type EditContext, type IntervalView } from './edit-context.js';

export interface CorrectionRequest {
  machineId: number;
  from: Date;
  to: Date;
  activityCodeId: number;
  note?: string | undefined;
  eventId?: string | undefined;
}

export interface CorrectionResult {
  correction: { id: number; machineId: number; from: string; to: string; activityCodeId: number; note: string | null };
  before: IntervalView[];
  after: IntervalView[];
}

const CORRECT = 'timeline.correct';

/** Corrections of the timeline: "the machine was in this code over [from, to)", applied or rehearsed. */
export class StateCorrections {
  constructor(private readonly ctx: EditContext) {}

  /**
   * "The machine was in this code over [from, to)": a correction event (with `until`) through the
   * state-event write path, which re-projects the timeline from `from`. Refused (400) when the span
   * reaches into the current open interval or the future, or starts before the machine's history;
   * 409 when it would put a running code where no job was active, as the live path refuses.
   */
  async correct(actor: Actor, req: CorrectionRequest): Promise<CorrectionResult> {
    return this.ctx.write((tx, changes) => this.correctIn(tx, changes, actor, req));
  }

  /**
   * What `correct` would do, without doing it: the same correction in a transaction that is rolled
   * back, answering the span's intervals before and after it and what it moves between codes
   * (core/state/correction-moves.ts). The same refusals as `correct` (400, 404, 409), so the form
   * learns them before applying. Before and after are read around the correction in the same
   * transaction, so a correction already in force moves nothing.
   */
  async previewCorrection(actor: Actor, req: CorrectionRequest): Promise<CorrectionPreview> {
    return this.ctx.rehearse(async (tx, changes) => {
      const { timeline, historyEdits } = this.ctx.repos;
      await timeline.lockMachines(tx, [req.machineId]);
      const before = (await historyEdits.clippedIntervals(tx, req.machineId, req.from, req.to)).map(intervalView);
      await this.correctIn(tx, changes, actor, req);
      const after = (await historyEdits.clippedIntervals(tx, req.machineId, req.from, req.to)).map(intervalView);
      const moves = correctionMoves(before, after);
      const codes = await this.ctx.repos.shopFloor.codes(tx, [
        ...new Set(moves.flatMap((m) => [m.fromActivityCodeId, m.toActivityCodeId])),
      ]);
      const categoryOf = (id: number) => codes.get(id)?.category ?? 'unplanned_stop';
      return {
        before,
        after,
        moves: moves.map((m) => ({ ...m, fromCategory: categoryOf(m.fromActivityCodeId), toCategory: categoryOf(m.toActivityCodeId) })),
      };
    });
  }

  async correctIn(tx: EntityManager, changes: CommittedChange[], actor: Actor, req: CorrectionRequest): Promise<CorrectionResult> {
    const { timeline, shopFloor, historyEdits, audit } = this.ctx.repos;
    await timeline.lockMachines(tx, [req.machineId]);
    if (!(await shopFloor.machines(tx, [req.machineId])).has(req.machineId)) throw AppError.notFound(`Machine ${req.machineId}`);
    if (req.eventId) {
      const stored = await historyEdits.eventByEventId(tx, req.machineId, req.eventId);
      if (stored) {
        if (sameCorrection(stored, req)) return this.replayCorrection(tx, req, stored);
        throw AppError.conflict(`eventId "${req.eventId}" was already used for another event of this machine`);
      }
    }
    this.ctx.notBeforeEarliest(req.from, 'from');
    if (req.to.getTime() > this.ctx.clock.now().getTime()) {
      throw AppError.invalid('A correction cannot reach into the future', [{ path: ['to'], message: 'must not be after now' }]);
    }
    const code = (await shopFloor.codes(tx, [req.activityCodeId])).get(req.activityCodeId);
    if (!code) {
      throw AppError.invalid(`Unknown activity code ${req.activityCodeId}`, [
        { path: ['activityCodeId'], message: `no activity code with id ${req.activityCodeId}` },
      ]);
    }
    const open = (await timeline.openIntervals(tx, [req.machineId])).get(req.machineId);
    const historyStart = await historyEdits.historyStart(tx, req.machineId);
    if (!open || !historyStart)
      throw AppError.invalid('The machine has no history to correct yet', [
        { path: ['from'], message: 'no state recorded for this machine' },
      ]);
    if (req.to.getTime() > open.start.getTime()) {
      throw AppError.invalid(
        `The correction overlaps the machine's current state, which began at ${open.start.toISOString()}: end it at or before then`,
        [{ path: ['to'], message: `must not be after ${open.start.toISOString()}` }],
      );
    }
    if (req.from.getTime() < historyStart.getTime()) {
      throw AppError.invalid(`The machine's history begins at ${historyStart.toISOString()}: a correction cannot start before it`, [
        { path: ['from'], message: `must not be before ${historyStart.toISOString()}` },
      ]);
    }
    const before = (await historyEdits.clippedIntervals(tx, req.machineId, req.from, req.to)).map(intervalView);
    // The live rule, over the span: a running code only where a job was active (intervals are cut at job boundaries).
    const jobless = before.find((i) => i.jobId === null);
    const check = checkStateChange({ code, hasActiveJob: jobless === undefined, upCodeId: BUILT_IN_CODES.up });
    if (!check.ok) {
      throw new AppError(
        check.code,
        check.status,
        `${check.message}: no job was active from ${jobless!.start} to ${jobless!.end}; start or extend a job there first`,
      );
    }
    if (!req.eventId && before.every((i) => i.activityCodeId === req.activityCodeId)) {
      // The same correction again (a retry without an eventId): already in force, nothing to do.
      const same = await historyEdits.latestCorrection(tx, req.machineId, req.from, req.to, req.activityCodeId);
      if (same) return this.replayCorrection(tx, req, same);
    }
    await this.ctx.stateEvents.recordIn(
      tx,
      [
        {
          machineId: req.machineId,
          at: req.from,
          until: req.to,
          activityCodeId: req.activityCodeId,
          operatorId: null,
          eventId: req.eventId ?? null,
          sender: editSender(actor),
        },
      ],
      'correction',
      changes,
    );
    const stored = await historyEdits.latestCorrection(tx, req.machineId, req.from, req.to, req.activityCodeId);
    if (!stored) throw new Error('the correction was not stored');
    await historyEdits.stampCorrection(tx, stored.id, this.ctx.clock.now());
    const after = (await historyEdits.clippedIntervals(tx, req.machineId, req.from, req.to)).map(intervalView);
    const note = req.note || null;
    await audit.record(tx, actor, {
      action: CORRECT,
      entity: 'timeline',
      entityId: stored.id,
      machineId: req.machineId,
      before,
      after,
      note,
    });
    return { correction: correctionView(req.machineId, stored, note), before, after };
  }

  /** The answer to a repeated correction: the stored one, with the before and after of its audit entry. */
  private async replayCorrection(tx: EntityManager, req: CorrectionRequest, stored: StoredEvent): Promise<CorrectionResult> {
    const entry = await this.ctx.repos.historyEdits.auditEntry(tx, CORRECT, stored.id);
    const current = (await this.ctx.repos.historyEdits.clippedIntervals(tx, req.machineId, req.from, req.to)).map(intervalView);
    return {
      correction: correctionView(req.machineId, stored, entry?.note ?? null),
      before: (entry?.before as IntervalView[] | undefined) ?? current,
      after: (entry?.after as IntervalView[] | undefined) ?? current,
    };
  }
}

function sameCorrection(stored: StoredEvent, req: CorrectionRequest): boolean {
  return (
    stored.until !== null &&
    stored.at.getTime() === req.from.getTime() &&
    stored.until.getTime() === req.to.getTime() &&
    stored.activityCodeId === req.activityCodeId
  );
}

function correctionView(machineId: number, stored: StoredEvent, note: string | null): CorrectionResult['correction'] {
  return {
    id: Number(stored.id),
    machineId,
    from: stored.at.toISOString(),
    to: stored.until!.toISOString(),
    activityCodeId: stored.activityCodeId,
    note,
  };
}
