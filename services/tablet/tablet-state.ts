import type { OeeResult } from '../../core/oee/index.js';
import type {
  TabletAlert,
  TabletCode,
  TabletJob,
  TabletJobStartField,
  TabletShiftOee,
  TabletState,
} from '../../core/realtime/tablet-events.js';
import type { Alert } from '../../core/schemas/alerts.schema.js';
import type { JobStartInputType } from '../../core/schemas/setup.schema.js';
import type { TabletRow } from '../../db/repositories/tablet-workflow.repository.js';
import type { TabletServiceDeps as AppServices } from './tablet-deps.js';
import type { OeeService } from '../oee/oee.service.js';

/** What the running screen's target and OEE are read from; absent for the DigitME2 tablets, which show neither. */
export type TabletProgressSource = Pick<OeeService, 'machineOee' | 'currentShiftOee'>;

interface Progress {
  runSeconds: number | null;
  shiftOee: TabletShiftOee | null;
}
const noProgress: Progress = { runSeconds: null, shiftOee: null };

/** How often a running_total tablet asks for a count (DigitME2's RUNNING_TOTAL_UPDATE_FREQUENCY_SECONDS). */
export const RUNNING_TOTAL_UPDATE_FREQUENCY_SECONDS = 3600;

/** The start-job fields of each input type, with the unit the operator types in (converted server-side). */
const jobStartFields: Record<JobStartInputType, TabletJobStartField[]> = {
  cycle_time_seconds: [{ key: 'value', label: 'Ideal cycle time', unit: 's per part' }],
  cycle_time_minutes: [{ key: 'value', label: 'Ideal cycle time', unit: 'min per part' }],
  cycle_time_hours: [{ key: 'value', label: 'Ideal cycle time', unit: 'h per part' }],
  parts_per_second: [{ key: 'value', label: 'Ideal rate', unit: 'parts/s' }],
  parts_per_minute: [{ key: 'value', label: 'Ideal rate', unit: 'parts/min' }],
  parts_per_hour: [{ key: 'value', label: 'Ideal rate', unit: 'parts/h' }],
  planned_qty_minutes: [
    { key: 'plannedQuantity', label: 'Planned quantity', unit: 'parts' },
    { key: 'plannedTimeMinutes', label: 'Planned time', unit: 'min' },
  ],
  no_cycle_time: [],
};

/**
 * Builds `tablet:state` for tablets, loading each machine's part once however many tablets share it.
 * Everything is read fresh from the database: the server is the tablet's source of truth.
 */
export class TabletStateBuilder {
  constructor(
    private readonly deps: AppServices,
    private readonly oee?: TabletProgressSource,
  ) {}

  async build(tablets: TabletRow[]): Promise<Map<number, TabletState>> {
    const { repos, clock } = this.deps;
    const machineIds = [...new Set(tablets.map((t) => t.machineId).filter((id): id is number => id !== null))];
    const [machines, current, codes, usernames, site, debts, alerts] = await Promise.all([
      repos.tabletWorkflow.machines(machineIds),
      machineIds.length ? repos.machineStates.current(machineIds) : Promise.resolve(new Map()),
      repos.activityCodes.list(),
      repos.tabletWorkflow.usernames([...new Set(tablets.map((t) => t.operatorId).filter((id): id is number => id !== null))]),
      repos.site.get(),
      this.deps.reasonQueue.open(machineIds),
      repos.alerts.openOfMachines(machineIds),
    ]);
    const jobIds = [...current.values()].map((s) => s.jobId).filter((id): id is number => id !== null);
    const [jobs, lastCounts] = await Promise.all([
      Promise.all(jobIds.map((id) => repos.shopFloor.jobsWithCounts(new Date(0), new Date(0), undefined, id))).then(
        (rows) => new Map(rows.flat().map((j) => [j.id, j])),
      ),
      repos.tabletWorkflow.lastCountEnds(jobIds),
    ]);
    const codeById = new Map(codes.map((c) => [c.id, c]));
    const at = clock.now();
    const now = at.toISOString();
    const progress = await this.progress(
      [...current.entries()].flatMap(([machineId, s]) =>
        s.jobId != null && jobs.has(s.jobId) ? [{ machineId, start: new Date(jobs.get(s.jobId)!.start) }] : [],
      ),
      at,
    );

    const out = new Map<number, TabletState>();
    for (const tablet of tablets) {
      const machine = tablet.machineId === null ? undefined : machines.get(tablet.machineId);
      const operator =
        tablet.operatorId !== null && usernames.has(tablet.operatorId)
          ? { id: tablet.operatorId, username: usernames.get(tablet.operatorId)! }
          : null;
      if (!machine) {
        out.set(tablet.id, {
          serverTime: now,
          timezone: site.timezone,
          tablet: { id: tablet.id, name: tablet.name },
          machine: null,
          workflowType: 'default',
          operator,
          job: null,
          shiftOee: null,
          current: null,
          codes: [],
          jobStartActivityCodeId: 1,
          jobNumberInputType: 'text',
          jobStartInputType: 'no_cycle_time',
          jobStartFields: [],
          jobStartAutofill: null,
          paused: false,
          runningTotal: null,
          reasonQueue: [],
          alerts: [],
        });
        continue;
      }
      const state = current.get(machine.id);
      const row = state?.jobId != null ? jobs.get(state.jobId) : undefined;
      const machineProgress = (row && progress.get(machine.id)) || noProgress;
      const job: TabletJob | null = row
        ? {
            id: row.id,
            jobNumber: row.jobNumber,
            start: new Date(row.start).toISOString(),
            idealCycleTimeSeconds: row.idealCycleTimeSeconds,
            good: Number(row.good),
            rejects: Number(row.rejects),
            runSeconds: machineProgress.runSeconds,
          }
        : null;
      const currentCode =
        state?.activityCodeId != null && state.since
          ? {
              activityCodeId: state.activityCodeId,
              category: state.category ?? codeById.get(state.activityCodeId)?.category ?? 'unplanned_stop',
              since: new Date(state.since).toISOString(),
            }
          : null;
      const excluded = new Set(machine.excludedActivityCodeIds);
      const offered: TabletCode[] = codes
        .filter((c) => c.active && c.builtIn === null && !excluded.has(c.id))
        .map((c) => ({ id: c.id, shortDescription: c.shortDescription, colour: c.colour, category: c.category }));
      const lastCount = job ? lastCounts.get(job.id) : undefined;
      out.set(tablet.id, {
        serverTime: now,
        timezone: site.timezone,
        tablet: { id: tablet.id, name: tablet.name },
        machine: { id: machine.id, name: machine.name },
        workflowType: machine.workflowType,
        operator,
        job,
        shiftOee: machineProgress.shiftOee,
        current: currentCode,
        codes: offered,
        jobStartActivityCodeId: machine.jobStartActivityCodeId,
        jobNumberInputType: machine.jobNumberInputType,
        jobStartInputType: machine.jobStartInputType,
        jobStartFields: jobStartFields[machine.jobStartInputType],
        jobStartAutofill: jobStartFields[machine.jobStartInputType].some((f) => f.key === 'value') ? machine.jobStartAutofill : null,
        paused: machine.workflowType === 'pausable' && job !== null && currentCode !== null && currentCode.category !== 'running',
        runningTotal:
          machine.workflowType === 'running_total' && job
            ? {
                lastUpdate: lastCount ? new Date(lastCount).toISOString() : job.start,
                updateFrequencySeconds: RUNNING_TOTAL_UPDATE_FREQUENCY_SECONDS,
              }
            : null,
        reasonQueue: debts
          .filter((d) => d.machineId === machine.id)
          .map((d) => ({ start: d.start, end: d.end, activityCodeId: d.activityCodeId, plannedSeconds: d.plannedSeconds })),
        alerts: alerts.filter((a) => a.machineId === machine.id).map(tabletAlert),
      });
    }
    return out;
  }

  /**
   * Each running job's run time so far and its machine's shift OEE, from the OEE service (docs/oee.md), so
   * the tablet shows what the wall and the analysis pages show. A machine whose OEE fails to compute gets
   * none rather than holding up the whole state (the tablet then hides the figures).
   */
  private async progress(running: { machineId: number; start: Date }[], now: Date): Promise<Map<number, Progress>> {
    const oee = this.oee;
    if (!oee || running.length === 0) return new Map();
    const entries = await Promise.all(
      running.map(async ({ machineId, start }): Promise<[number, Progress]> => {
        const [job, shift] = await Promise.all([
          start < now ? oee.machineOee(machineId, start, now).catch(() => null) : null,
          oee.currentShiftOee(machineId).catch(() => null),
        ]);
        return [machineId, { runSeconds: start < now ? (job?.runSeconds ?? null) : 0, shiftOee: shift ? shiftOee(shift) : null }];
      }),
    );
    return new Map(entries);
  }
}

function tabletAlert(a: Alert): TabletAlert {
  return {
    id: a.id,
    ruleName: a.ruleName,
    level: a.level,
    since: a.stopStart,
    acknowledgedAt: a.acknowledgedAt,
    acknowledgedBy: a.acknowledgedBy,
  };
}

function shiftOee(result: OeeResult): TabletShiftOee {
  return {
    from: result.from,
    to: result.to,
    oee: result.oee,
    availability: result.availability,
    performance: result.performance,
    quality: result.quality,
  };
}
