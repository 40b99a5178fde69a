import type { Clock } from '../../core/clock.js';
import { plannedWindows } from '../../core/calendar/index.js';
import { REASON_QUEUE_DAYS, reasonDebts, type ReasonDebt } from '../../core/andon/reason-debt.js';
import { AppError } from '../../core/errors.js';
import { BUILT_IN_CODES } from '../../core/state/built-in-codes.js';
import type { Actor } from '../../db/repositories/audit.repository.js';
import type { Repositories } from '../../db/repositories/index.js';
import type { CorrectionResult, HistoryEditService } from '../history-edit/history-edit.service.js';

export interface ReasonDebtView extends ReasonDebt {
  machineName: string;
}

export interface GiveReasonRequest {
  machineId: number;
  from: Date;
  to: Date;
  activityCodeId: number;
  eventId?: string | undefined;
}

/**
 * The reason queue (docs/oee.md "The reason queue"): stops in planned time longer than the threshold that
 * still carry a generic code (Down, No data). Giving one its reason is a correction of the stop, authored
 * by whoever gives it (the operator on the tablet, a supervisor on the queue page), through the history
 * edits' correction path.
 */
export class ReasonQueue {
  constructor(
    private readonly deps: {
      repos: Pick<Repositories, 'andon' | 'oeeData' | 'activityCodes' | 'machines'>;
      /** Whether the machine has a stored event with this id (a repeated request). */
      historyEdits: Pick<HistoryEditService, 'correct'>;
      findEvent: (machineId: number, eventId: string) => Promise<boolean>;
      clock: Clock;
    },
  ) {}

  /** The queue of a machine, a group or the site (`GET /api/v1/reason-queue`). */
  async list(scope: { machineId?: number | undefined; groupId?: number | undefined }): Promise<{ debts: ReasonDebtView[] }> {
    if (scope.machineId !== undefined) {
      await this.deps.repos.machines.get(scope.machineId);
      return { debts: await this.open([scope.machineId]) };
    }
    if (scope.groupId !== undefined) {
      const ids = (await this.deps.repos.machines.list()).filter((m) => m.groupId === scope.groupId).map((m) => m.id);
      return { debts: await this.open(ids) };
    }
    return { debts: await this.open(null) };
  }

  /** Open debts of the machines (all active machines when null), newest first. */
  async open(machineIds: number[] | null): Promise<ReasonDebtView[]> {
    if (machineIds !== null && machineIds.length === 0) return [];
    const { andon, oeeData } = this.deps.repos;
    const now = this.deps.clock.now();
    const since = new Date(now.getTime() - REASON_QUEUE_DAYS * 86_400_000);
    const noData = await andon.noDataCodeId();
    const generic = [BUILT_IN_CODES.down, ...(noData === null ? [] : [noData])];
    const [rows, context, minutes] = await Promise.all([
      andon.stopCandidates(machineIds, since, generic),
      oeeData.context(machineIds?.length === 1 ? { machineId: machineIds[0]! } : {}),
      andon.reasonPromptMinutes(),
    ]);
    if (rows.length === 0) return [];
    const patterns = new Map(context.machines.map((m) => [m.id, m.pattern]));
    const from = new Date(Math.min(...rows.map((r) => new Date(r.start).getTime())));
    const to = new Date(Math.max(...rows.map((r) => new Date(r.end).getTime())));
    const windows = new Map<number, { start: Date; end: Date }[]>();
    const windowsOf = (machineId: number) => {
      if (!windows.has(machineId)) windows.set(machineId, plannedWindows(patterns.get(machineId) ?? null, context.timezone, from, to));
      return windows.get(machineId)!;
    };
    const names = new Map(rows.map((r) => [r.machineId, r.machineName]));
    const debts = reasonDebts(
      rows.map((r) => ({ ...r, start: new Date(r.start), end: new Date(r.end) })),
      windowsOf,
      (machineId) => ({ thresholdSeconds: (minutes.get(machineId) ?? 5) * 60, microStopSeconds: context.microStopSeconds }),
    );
    return debts.map((d) => ({ ...d, machineName: names.get(d.machineId) ?? '' }));
  }

  /**
   * Gives an open debt its reason: a correction over exactly the stop, with a stop code that is not
   * generic. A repeat with the same eventId answers the stored correction.
   */
  async give(actor: Actor, req: GiveReasonRequest): Promise<CorrectionResult> {
    const code = (await this.deps.repos.activityCodes.list()).find((c) => c.id === req.activityCodeId);
    const noData = await this.deps.repos.andon.noDataCodeId();
    if (!code || !code.active || code.category === 'running' || code.id === BUILT_IN_CODES.down || code.id === noData) {
      throw AppError.invalid('The reason must be an active stop code other than Down and No data', [
        { path: ['activityCodeId'], message: 'expected a stop code that explains the stop' },
      ]);
    }
    const replay = req.eventId !== undefined && (await this.deps.findEvent(req.machineId, req.eventId));
    if (!replay) {
      const debts = await this.open([req.machineId]);
      const debt = debts.find((d) => d.start === req.from.toISOString() && d.end === req.to.toISOString());
      if (!debt) throw AppError.conflict('This stop owes no reason (it has one already, or is too short or outside planned time)');
    }
    return this.deps.historyEdits.correct(actor, {
      machineId: req.machineId,
      from: req.from,
      to: req.to,
      activityCodeId: req.activityCodeId,
      note: 'Reason given after the stop',
      eventId: req.eventId,
    });
  }
}
