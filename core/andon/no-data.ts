/**
 * No data (issue 20 point 1, docs/oee.md "No data"): when a machine with a heartbeat interval has been
 * silent too long, and when it is back. Pure: the watcher (services/andon/no-data-watch.ts) passes
 * what is stored and the clock's now, and writes what this decides through the state-event service.
 */

/**
 * Contacts reach PostgreSQL in batches (services/andon/contacts.ts flushes every CONTACT_FLUSH_MS), and
 * another instance's contact may not be there yet: a machine is declared silent only once it has been
 * quiet for its heartbeat interval plus this.
 */
export const CONTACT_FLUSH_MS = 2_000;
export const SILENCE_GRACE_MS = 5_000;

/** Writers whose events are a device's contact: not a person's correction, a job edit or the system's own writes. */
const CONTACT_SOURCES: ReadonlySet<string> = new Set(['device', 'api', 'legacy', 'tablet', 'mqtt']);

export function countsAsContact(source: string, senderLabel: string): boolean {
  return CONTACT_SOURCES.has(source) && senderLabel !== 'scheduler';
}

export interface WatchedMachine {
  machineId: number;
  heartbeatSeconds: number;
  /** null: never heard from (nothing to date a silence from). */
  lastContactAt: Date | null;
  /** The first contact after the latest silence longer than the heartbeat interval. */
  contactResumedAt: Date | null;
  /** The open interval's code and start; null before the first event. */
  open: { activityCodeId: number; start: Date } | null;
}

export type NoDataDecision =
  { kind: 'silent'; machineId: number; at: Date } | { kind: 'back'; machineId: number; at: Date } | { kind: 'none'; machineId: number };

/**
 * `silent`: record No data from the last contact. `back`: the machine is in No data and has been heard
 * from since it began, at `at` (the first contact after the silence).
 */
export function decideNoData(machine: WatchedMachine, noDataCodeId: number, now: Date, graceMs = SILENCE_GRACE_MS): NoDataDecision {
  const { machineId, lastContactAt, open } = machine;
  if (lastContactAt === null) return { kind: 'none', machineId };
  const inNoData = open?.activityCodeId === noDataCodeId;
  if (inNoData) {
    if (lastContactAt.getTime() <= open.start.getTime()) return { kind: 'none', machineId };
    const resumed = machine.contactResumedAt;
    const at = resumed && resumed.getTime() > open.start.getTime() ? resumed : lastContactAt;
    return { kind: 'back', machineId, at };
  }
  const silentMs = now.getTime() - lastContactAt.getTime();
  if (silentMs <= machine.heartbeatSeconds * 1000 + graceMs) return { kind: 'none', machineId };
  // A state that began after the last contact (a shift boundary, a correction) is not overwritten from before it.
  if (open && open.start.getTime() > lastContactAt.getTime()) return { kind: 'none', machineId };
  return { kind: 'silent', machineId, at: lastContactAt };
}

/** Event ids of the watcher's writes: a second instance or a retry deciding the same is a duplicate. */
export const noDataEventId = (machineId: number, at: Date) => `no-data:${machineId}:${at.toISOString()}`;
export const dataBackEventId = (machineId: number, at: Date) => `no-data-end:${machineId}:${at.toISOString()}`;
