import type { TabletState } from '$core/realtime/tablet-events.js';
import type { QueuedCommand } from './queue.js';

/** Seeded codes (docs/api.md): a job ends in Down; a resumed job runs in Up unless its start code is a running one. */
const UP = 1;
const DOWN = 2;

/**
 * What the tablet shows while commands wait in the queue: the server's last state with the queued
 * commands applied in order. Only for display: once the queue has replayed, the server's state is shown
 * as it is (the server is the source of truth).
 */
export function predict(state: TabletState, queue: readonly QueuedCommand[]): TabletState {
  return queue.reduce(apply, state);
}

function codeAt(s: TabletState, activityCodeId: number, at: string): TabletState['current'] {
  const code = s.codes.find((c) => c.id === activityCodeId);
  return { activityCodeId, category: code?.category ?? (activityCodeId === UP ? 'running' : 'unplanned_stop'), since: at };
}

function apply(s: TabletState, command: QueuedCommand): TabletState {
  const at = command.payload.at;
  switch (command.name) {
    case 'operator:sign-out':
      return { ...s, operator: null };
    case 'job:start': {
      const p = command.payload as QueuedCommand<'job:start'>['payload'];
      const current = codeAt(s, s.jobStartActivityCodeId, at);
      return {
        ...s,
        job: { id: -1, jobNumber: String(p.jobNumber), start: at, idealCycleTimeSeconds: null, good: 0, rejects: 0, runSeconds: null },
        current,
        paused: s.workflowType === 'pausable' && current?.category !== 'running',
        runningTotal:
          s.workflowType === 'running_total'
            ? { lastUpdate: at, updateFrequencySeconds: s.runningTotal?.updateFrequencySeconds ?? 3600 }
            : null,
      };
    }
    case 'activity:set': {
      const p = command.payload as QueuedCommand<'activity:set'>['payload'];
      const current = codeAt(s, p.activityCodeId, at);
      return { ...s, current, paused: s.workflowType === 'pausable' && s.job !== null && current?.category !== 'running' };
    }
    case 'production:record': {
      const p = command.payload as QueuedCommand<'production:record'>['payload'];
      return {
        ...s,
        job: s.job ? { ...s.job, good: s.job.good + p.good, rejects: s.job.rejects + p.rejects } : null,
        runningTotal: s.runningTotal ? { ...s.runningTotal, lastUpdate: at } : null,
      };
    }
    case 'job:end':
      return { ...s, job: null, shiftOee: null, current: codeAt(s, DOWN, at), paused: false, runningTotal: null };
    case 'job:pause':
      return { ...s, current: codeAt(s, DOWN, at), paused: true };
    case 'reason:give': {
      const p = command.payload as QueuedCommand<'reason:give'>['payload'];
      return { ...s, reasonQueue: s.reasonQueue.filter((d) => d.start !== p.from || d.end !== p.to) };
    }
    case 'alert:acknowledge': {
      const p = command.payload as QueuedCommand<'alert:acknowledge'>['payload'];
      const by = `tablet:${s.tablet.name}${s.operator ? ` (${s.operator.username})` : ''}`;
      return {
        ...s,
        alerts: s.alerts.map((a) =>
          a.id === p.alertId && a.acknowledgedAt === null ? { ...a, acknowledgedAt: at, acknowledgedBy: by } : a,
        ),
      };
    }
    case 'alert:resolve': {
      const p = command.payload as QueuedCommand<'alert:resolve'>['payload'];
      return { ...s, alerts: s.alerts.filter((a) => a.id !== p.alertId) };
    }
    case 'job:resume': {
      const start = s.codes.find((c) => c.id === s.jobStartActivityCodeId);
      return { ...s, current: codeAt(s, start?.category === 'running' ? start.id : UP, at), paused: false };
    }
  }
  return s;
}
