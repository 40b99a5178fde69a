import type { DataSource } from 'typeorm';
import type { OeeResult } from '../core/oee/index.js';
import type { VerifyReport, VerifyRequest } from '../core/schemas/verify.schema.js';
import { diffTimelines } from '../core/state/timeline-diff.js';
import { projectTimeline } from '../core/state/timeline-projection.js';
import type { CommittedChange } from './change-feed.js';
import type { Actor } from '../db/repositories/audit.repository.js';
import type { Repositories } from '../db/repositories/index.js';
import { ELEMENT_COLUMNS, HOUR_MS } from '../db/repositories/oee-rollup.repository.js';
import type { OeeService } from './oee/oee.service.js';
import type { StateEventsService } from './state-events.service.js';

/** Stored and recomputed roll-up values this close are equal (float sums in another order). */
const TOLERANCE = 1e-6;

type TimelineDiff = VerifyReport['timeline'][number];
type RollupDiff = VerifyReport['rollups'][number];

/**
 * The verifier (docs/timeline-truth.md): recomputes each machine's timeline over [from, to) from its
 * events, corrections and jobs, and each stored OEE roll-up starting in [from, to) from the history,
 * and reports every difference (roll-ups a timeline difference reaches are left to that finding). With `repair`, in ONE transaction: re-projects each machine that
 * differs from its earliest difference on, drops the roll-up rows that differ (and those a
 * re-projection touched: they are recomputed on the next read), and audits it per machine.
 */
export class VerifyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repos: Pick<Repositories, 'verify' | 'timeline' | 'audit' | 'site'>,
    private readonly stateEvents: StateEventsService,
    private readonly oee: Pick<OeeService, 'rawMachineOee' | 'flushInvalidations'>,
  ) {}

  async run(actor: Actor, req: VerifyRequest): Promise<VerifyReport> {
    const { from, to } = req;
    const machineIds = await this.repos.verify.machinesWithHistory();
    const timeline: TimelineDiff[] = [];
    for (const machineId of machineIds) timeline.push(...(await this.timelineDifferences(machineId, from, to)));
    // A roll-up that a timeline difference can reach is recomputed from a wrong timeline: it is not
    // compared (the timeline difference is the finding) and a repair drops it with the re-projection.
    const { microStopSeconds } = await this.repos.site.get();
    const firstDifference = new Map<number, number>();
    for (const d of timeline)
      firstDifference.set(
        d.machineId,
        Math.min(firstDifference.get(d.machineId) ?? Infinity, Date.parse(d.from) - microStopSeconds * 1000),
      );
    // Rows a change has just made stale are deleted a moment later (batched): let that happen first.
    await this.oee.flushInvalidations();
    const stored = (await this.repos.verify.storedRollups(from, to)).filter(
      (row) => row.hourStart.getTime() + row.hours * HOUR_MS <= (firstDifference.get(row.machineId) ?? Infinity),
    );
    const rollups: RollupDiff[] = [];
    for (const row of stored) {
      const result = await this.oee.rawMachineOee(row.machineId, row.hourStart, new Date(row.hourStart.getTime() + row.hours * HOUR_MS));
      rollups.push(...rollupDifferences(row, result));
    }
    const report: VerifyReport = {
      from: from.toISOString(),
      to: to.toISOString(),
      machinesChecked: machineIds.length,
      rollupsChecked: stored.length,
      timeline,
      rollups,
      repaired: null,
    };
    if (req.repair) report.repaired = await this.repair(actor, report);
    return report;
  }

  private async timelineDifferences(machineId: number, from: Date, to: Date): Promise<TimelineDiff[]> {
    return this.dataSource.transaction('REPEATABLE READ', async (tx) => {
      const stored = await this.repos.verify.storedIntervals(tx, machineId, from, to);
      const inputs = await this.repos.timeline.projectionInputs(tx, machineId, from);
      const recomputed = projectTimeline(inputs.events, inputs.corrections, inputs.jobs);
      return diffTimelines(stored, recomputed, from.getTime(), to.getTime()).map((d) => ({
        machineId,
        from: new Date(d.from).toISOString(),
        to: new Date(d.to).toISOString(),
        stored: d.stored,
        recomputed: d.recomputed,
      }));
    });
  }

  private async repair(actor: Actor, report: VerifyReport): Promise<{ timelines: number; rollups: number }> {
    const firstDifference = new Map<number, number>();
    for (const d of report.timeline)
      firstDifference.set(d.machineId, Math.min(firstDifference.get(d.machineId) ?? Infinity, Date.parse(d.from)));
    const machines = [...new Set([...firstDifference.keys(), ...report.rollups.map((r) => r.machineId)])].sort((a, b) => a - b);
    if (machines.length === 0) return { timelines: 0, rollups: 0 };
    const changes: CommittedChange[] = [];
    const rollups = await this.dataSource.transaction(async (tx) => {
      await this.repos.timeline.lockMachines(tx, machines);
      const reprojected = [...firstDifference].map(([machineId, at]) => ({ machineId, from: new Date(at) }));
      // Re-projection is always safe: it writes the projection of what is stored, whatever changed since the check.
      for (const r of reprojected) {
        await this.stateEvents.reproject(tx, r.machineId, r.from, changes);
        changes.push(await this.stateEvents.currentState(tx, r.machineId));
      }
      const rows = uniqueRows(report.rollups);
      const dropped = await this.repos.verify.dropRollups(tx, rows, reprojected);
      for (const machineId of machines) {
        await this.repos.audit.record(tx, actor, {
          action: 'timeline.verify-repair',
          entity: 'timeline',
          entityId: machineId,
          machineId,
          before: {
            timeline: report.timeline.filter((d) => d.machineId === machineId),
            rollups: report.rollups.filter((d) => d.machineId === machineId),
          },
          after: { reprojectedFrom: reprojected.find((r) => r.machineId === machineId)?.from ?? null },
          note: `verify ${report.from}..${report.to}`,
        });
      }
      return dropped;
    });
    this.stateEvents.announce(changes);
    return { timelines: firstDifference.size, rollups };
  }
}

function uniqueRows(diffs: RollupDiff[]): { machineId: number; hourStart: Date; hours: number }[] {
  const seen = new Map<string, { machineId: number; hourStart: Date; hours: number }>();
  for (const d of diffs)
    seen.set(`${d.machineId}|${d.hourStart}|${d.hours}`, { machineId: d.machineId, hourStart: new Date(d.hourStart), hours: d.hours });
  return [...seen.values()];
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(b));
}

function rollupDifferences(row: Awaited<ReturnType<Repositories['verify']['storedRollups']>>[number], result: OeeResult): RollupDiff[] {
  const at = { machineId: row.machineId, hourStart: row.hourStart.toISOString(), hours: row.hours };
  const out: RollupDiff[] = [];
  for (const c of ELEMENT_COLUMNS) {
    if (!close(row.elements[c], result[c])) out.push({ ...at, field: c, stored: row.elements[c], recomputed: result[c] });
  }
  const lossKey = (l: { activityCodeId: number; category: string }) => `${l.activityCodeId}|${l.category}`;
  const recomputed = new Map(result.losses.map((l) => [lossKey(l), l]));
  const stored = new Map(row.losses.map((l) => [lossKey(l), l]));
  for (const key of new Set([...stored.keys(), ...recomputed.keys()])) {
    const s = stored.get(key);
    const r = recomputed.get(key);
    const code = (s ?? r)!.activityCodeId;
    for (const f of ['seconds', 'occurrences'] as const) {
      const sv = s?.[f] ?? 0;
      const rv = r?.[f] ?? 0;
      // A zero loss stored or left out is the same loss.
      if (!close(sv, rv)) out.push({ ...at, field: `losses.${code}.${f}`, stored: s ? s[f] : null, recomputed: r ? r[f] : null });
    }
  }
  return out;
}
