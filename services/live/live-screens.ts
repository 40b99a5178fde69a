import type { Clock } from '../../core/clock.js';
import type { CommittedChange } from '../../core/cluster/committed-change.js';
import type { OeeResult } from '../../core/oee/index.js';
import { DateTime } from 'luxon';
import type { LiveMachine, LiveSnapshotMeta, LiveTimeline, MachineStateChanged } from '../../core/realtime/live-events.js';
import { LiveRepository } from '../../db/repositories/live.repository.js';
import type { Repositories } from '../../db/repositories/index.js';
import type { DataSource } from 'typeorm';
import { machineState, type MachineNow } from '../machine-state.service.js';
import { WallAlertsRepository } from '../../db/repositories/wall-alerts.repository.js';
import { LiveAlerts } from './live-alerts.js';
import { LiveDirectory } from './live-directory.js';
import { LiveNames, type LiveNamesOf } from './live-names.js';

/** What a screen of one scope gets on connect and on `group:watch` (docs/api.md `machines:snapshot`). */
export type LiveSnapshot = [LiveMachine[], LiveSnapshotMeta];

/** Intervals per machine on the group timeline: a day of a machine that flickers every few seconds is cut here. */
const TIMELINE_MAX_INTERVALS = 2_000;

/** A machine-state message and the group it is routed by. */
export interface RoutedState {
  groupId: number | null;
  message: MachineStateChanged;
}

/** `machine:state-changed` (docs/api.md): the one builder, whether the state comes from a change or a read. */
export function stateMessage(machineId: number, now: MachineNow, offShift: boolean, names: LiveNamesOf): MachineStateChanged {
  return { machineId, ...machineState(now, offShift), job: names.job, operator: names.operator };
}

/**
 * The reads of the wall screens (`/live`, realtime/live): snapshots of a scope, and the state
 * messages of changes, with the set-up (`directory`) and the names (`names`) this instance keeps.
 * Which sockets hear what is the transport's business; what they hear is built here.
 */
export class LiveScreens {
  readonly directory: LiveDirectory;
  readonly names: LiveNames;
  /** The alerts walls show (docs/alerts.md "Wall"). */
  readonly alerts: LiveAlerts;

  constructor(
    private readonly repos: Pick<Repositories, 'machineStates' | 'timeline'>,
    repo: LiveRepository,
    private readonly clock: Clock,
    alerts: WallAlertsRepository,
  ) {
    this.directory = new LiveDirectory(repo);
    this.names = new LiveNames(repo);
    this.alerts = new LiveAlerts(alerts);
  }

  static create(deps: { dataSource: DataSource; repos: Repositories; clock: Clock }): LiveScreens {
    return new LiveScreens(deps.repos, new LiveRepository(deps.dataSource), deps.clock, new WallAlertsRepository(deps.dataSource));
  }

  /**
   * The active machines of a scope (a group, or null: the whole site) as they are now, in one
   * consistent read, each with its current shift's OEE from `oee` (the screens' cache).
   */
  async snapshot(scope: number | null, oee: (machineIds: number[]) => Promise<Map<number, OeeResult | null>>): Promise<LiveSnapshot> {
    const rows = await this.repos.machineStates.list({ ...(scope === null ? {} : { groupId: scope }), activeOnly: true });
    const ids = rows.map((r) => r.machineId);
    const [results, alerts] = await Promise.all([oee(ids), this.alerts.open(ids)]);
    const now = this.clock.now();
    const machines = rows.map<LiveMachine>((r) => ({
      machineId: r.machineId,
      name: r.name,
      groupId: r.groupId,
      state: machineState(r, this.directory.offShift(r.machineId, now)),
      job: r.job,
      operator: r.operator,
      oee: results.get(r.machineId) ?? null,
      oeeTarget: this.directory.oeeTarget(r.machineId),
    }));
    const meta = {
      groupId: scope,
      serverTime: now.toISOString(),
      activityCodes: this.directory.activityCodes,
      groups: this.directory.groups(scope),
      timezone: this.directory.timezone,
      longStopMinutes: this.directory.longStopMinutes,
      dateFormat: this.directory.dateFormat,
      alerts,
    };
    return [machines, meta];
  }

  /**
   * `timeline:today`: each machine of the scope with its intervals over the site-local day so far
   * (at most `TIMELINE_MAX_INTERVALS` each: a screen draws a day, not an audit).
   */
  async todayTimeline(scope: number | null): Promise<LiveTimeline> {
    await this.directory.ready();
    const now = this.clock.now();
    const day = DateTime.fromJSDate(now, { zone: this.directory.timezone }).startOf('day');
    const from = day.toJSDate();
    const to = day.plus({ days: 1 }).toJSDate();
    const machines = this.directory.watchedBy([scope]);
    const rows = await Promise.all(machines.map((m) => this.repos.timeline.intervals(m.id, from, now, TIMELINE_MAX_INTERVALS + 1)));
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      serverTime: now.toISOString(),
      machines: machines.map((m, i) => ({
        machineId: m.id,
        truncated: rows[i]!.length > TIMELINE_MAX_INTERVALS,
        intervals: rows[i]!.slice(0, TIMELINE_MAX_INTERVALS).map((r) => ({
          start: r.start.toISOString(),
          end: r.end ? r.end.toISOString() : null,
          activityCodeId: r.activityCodeId,
          category: r.category,
        })),
      })),
    };
  }

  /**
   * The message of a `machine-state` change from memory alone (the hot path): undefined when the
   * machine or a name is not at hand, and `stateOfChange` has to read.
   */
  peekStateOfChange(change: Extract<CommittedChange, { kind: 'machine-state' }>): RoutedState | undefined {
    const machine = this.directory.machine(change.machineId);
    const names = this.names.peek(change);
    if (!machine || !names) return undefined;
    return { groupId: machine.groupId, message: stateMessage(change.machineId, change, this.offShiftNow(change.machineId), names) };
  }

  /** The message of a `machine-state` change, reading what is not at hand. null: the machine is on no screen. */
  async stateOfChange(change: Extract<CommittedChange, { kind: 'machine-state' }>): Promise<RoutedState | null> {
    const machine = await this.machineOf(change.machineId);
    if (!machine) return null;
    const names = await this.names.read(change);
    return { groupId: machine.groupId, message: stateMessage(change.machineId, change, this.offShiftNow(change.machineId), names) };
  }

  /**
   * The machine's whole current state, read now (changes that carry no code: an operator signed in
   * or out, a shift began or ended). `offShift` as the change says, when it says.
   */
  async currentState(machineId: number, offShift?: boolean): Promise<RoutedState | null> {
    const machine = await this.machineOf(machineId);
    if (!machine) return null;
    const [row] = await this.repos.machineStates.list({ machineIds: [machineId], activeOnly: true });
    if (!row) return null;
    return { groupId: machine.groupId, message: stateMessage(machineId, row, offShift ?? this.offShiftNow(machineId), row) };
  }

  /** The machine, reading the set-up again once if it is new. Inactive machines are on no screen. */
  async machineOf(machineId: number) {
    if (!this.directory.machine(machineId)) await this.directory.refresh();
    return this.directory.machine(machineId);
  }

  private offShiftNow(machineId: number): boolean {
    return this.directory.offShift(machineId, this.clock.now());
  }
}
