import type { LiveActivityCode, LiveGroup, LiveSnapshotMeta } from '../../core/realtime/live-events.js';
import { DEFAULT_OEE_TARGET } from '../../core/oee/target.js';
import { isOffShift } from '../machine-state.service.js';
import type { LiveDirectoryRows, LiveRepository } from '../../db/repositories/live.repository.js';

export interface DirectoryMachine {
  id: number;
  name: string;
  groupId: number | null;
  shiftPatternId: number | null;
  /** Its effective OEE target (core/oee/target.ts). */
  oeeTarget: number;
}

/**
 * This instance's copy of what screens are drawn from: active machines (and their groups, which
 * route every change), groups, activity codes, shift patterns, the site time zone and date format. Set-up edits
 * can be made on any instance, so it is re-read on a timer (and at once when a change names a
 * machine it does not know); `refresh` says whether anything a screen shows changed, and so do
 * the `onChanged` listeners.
 */
export class LiveDirectory {
  private rows: LiveDirectoryRows | null = null;
  private byId = new Map<number, DirectoryMachine>();
  private fingerprint = '';
  private loading: Promise<boolean> | null = null;
  private queued: Promise<boolean> | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly repo: LiveRepository) {}

  /** Told after a re-read found that something a screen shows changed (the screens need a fresh snapshot). */
  onChanged(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Loads once; later calls return at once. */
  async ready(): Promise<void> {
    if (!this.rows) await this.refresh();
  }

  /** Re-reads everything (one read in flight, at most one queued behind it). Resolves true when something changed. */
  refresh(): Promise<boolean> {
    if (!this.loading) {
      this.loading = this.load().finally(() => (this.loading = null));
      return this.loading;
    }
    // A read already running may have started before the edit we were told about: queue one more.
    this.queued ??= this.loading
      .catch(() => false)
      .then(() => {
        this.queued = null;
        return this.refresh();
      });
    return this.queued;
  }

  machine(id: number): DirectoryMachine | undefined {
    return this.byId.get(id);
  }

  get loaded(): boolean {
    return this.rows !== null;
  }

  get machines(): DirectoryMachine[] {
    return this.rows?.machines ?? [];
  }

  get activityCodes(): LiveActivityCode[] {
    return this.rows?.activityCodes ?? [];
  }

  /** The site's IANA zone: screens show site time, whatever the zone of the TV (issue 18). */
  get timezone(): string {
    return this.rows?.timezone ?? 'UTC';
  }

  get longStopMinutes(): LiveSnapshotMeta['longStopMinutes'] {
    return this.rows?.longStopMinutes ?? {};
  }

  /** The site's date format: screens write dates as the site does (issue 18). */
  get dateFormat(): LiveSnapshotMeta['dateFormat'] {
    return this.rows?.dateFormat ?? 'YYYY-MM-DD';
  }

  /** A machine's effective OEE target; the site's for a machine not (yet) in the directory. */
  oeeTarget(machineId: number): number {
    return this.byId.get(machineId)?.oeeTarget ?? this.rows?.siteOeeTarget ?? DEFAULT_OEE_TARGET;
  }

  /** The machines screens of these scopes see (`null`: the whole site). */
  watchedBy(scopes: readonly (number | null)[]): DirectoryMachine[] {
    if (scopes.length === 0) return [];
    if (scopes.includes(null)) return this.machines;
    return this.machines.filter((m) => m.groupId !== null && scopes.includes(m.groupId));
  }

  groups(scope: number | null): LiveGroup[] {
    const all = this.rows?.groups ?? [];
    return scope === null ? all : all.filter((g) => g.id === scope);
  }

  hasGroup(id: number): boolean {
    return (this.rows?.groups ?? []).some((g) => g.id === id);
  }

  /** Outside its planned time now (the one rule, `isOffShift`). */
  offShift(machineId: number, at: Date): boolean {
    const machine = this.byId.get(machineId);
    if (!machine || !this.rows) return false;
    return isOffShift(machine.shiftPatternId === null ? undefined : this.rows.patterns.get(machine.shiftPatternId), this.rows.timezone, at);
  }

  private async load(): Promise<boolean> {
    const rows = await this.repo.directory();
    const fingerprint = JSON.stringify([
      rows.machines,
      rows.groups,
      rows.activityCodes,
      [...rows.patterns],
      rows.timezone,
      rows.longStopMinutes,
      rows.dateFormat,
      rows.siteOeeTarget,
    ]);
    const changed = this.rows !== null && fingerprint !== this.fingerprint;
    this.rows = rows;
    this.byId = new Map(rows.machines.map((m) => [m.id, m]));
    this.fingerprint = fingerprint;
    if (changed) for (const listener of this.listeners) listener();
    return changed;
  }
}
