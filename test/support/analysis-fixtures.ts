import { DateTime } from 'luxon';
import type { ApiClient } from './http-client.js';
import { seededRandom } from '../../core/seeded-random.js';

/**
 * A realistic plant seeded through the HTTP API, for the analysis pages' browser tests (and for
 * looking at them by hand): two groups, several machines, a two-shift pattern, extra reason codes,
 * and one site-local day of varied states, jobs and counts per machine. Deterministic: the same
 * day and machine count give the same history.
 */
export interface SeededMachine {
  id: number;
  name: string;
  groupId: number;
  /** Intervals posted for the day, in time order, as site-local HH:MM (end exclusive). */
  segments: { start: string; end: string; codeId: number; jobNumber: string | null }[];
  jobs: { jobNumber: string; start: string; end: string; idealCycleTimeSeconds: number; good: number; rejects: number }[];
}

export interface SeededPlant {
  timezone: string;
  /** The seeded site-local day, YYYY-MM-DD. */
  day: string;
  groups: { id: number; name: string }[];
  machines: SeededMachine[];
  codes: Record<'up' | 'down' | 'closed' | 'breakdown' | 'material' | 'jam' | 'changeover' | 'cleaning' | 'break', number>;
  shiftPatternId: number;
}

const machineNames = ['Press 1', 'Press 2', 'Lathe 3', 'Mill 4', 'Welder 5', 'Packer 6'];

/** A small deterministic PRNG (mulberry32), so fixtures are reproducible. */
const prng = seededRandom;

async function ok<T = any>(res: Promise<{ status: number; body: T }>, expected: number, what: string): Promise<T> {
  const r = await res;
  if (r.status !== expected) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

export async function seedPlant(admin: ApiClient, options: { timezone: string; day: string; machines?: number }): Promise<SeededPlant> {
  const { timezone, day } = options;
  const count = Math.min(options.machines ?? 5, machineNames.length);
  const site = await ok(admin.get('/api/v1/site'), 200, 'site');
  await ok(admin.put('/api/v1/site', { ...site, timezone }), 200, 'site timezone');

  const code = async (shortDescription: string, category: string, colour: string) =>
    (
      await ok(
        admin.post('/api/v1/activity-codes', { shortDescription, longDescription: '', category, colour }),
        201,
        `code ${shortDescription}`,
      )
    ).id as number;
  const codes = {
    up: 1,
    down: 2,
    closed: 3,
    breakdown: await code('Breakdown', 'unplanned_stop', '#8B1A1A'),
    material: await code('Material shortage', 'unplanned_stop', '#E8743B'),
    jam: await code('Jam', 'unplanned_stop', '#C2185B'),
    changeover: await code('Changeover', 'planned_stop', '#F2C744'),
    cleaning: await code('Cleaning', 'planned_stop', '#7FB3D5'),
    break: await code('Break', 'planned_shutdown', '#B0A8B9'),
  };
  const shiftPatternId = (
    await ok(
      admin.post('/api/v1/shift-patterns', {
        name: 'Two shifts',
        shifts: [
          { days: [1, 2, 3, 4, 5, 6, 7], start: '06:00', end: '14:00' },
          { days: [1, 2, 3, 4, 5, 6, 7], start: '14:00', end: '22:00' },
        ],
      }),
      201,
      'pattern',
    )
  ).id as number;
  const groups = [
    await ok(admin.post('/api/v1/groups', { name: 'Pressing' }), 201, 'group'),
    await ok(admin.post('/api/v1/groups', { name: 'Machining' }), 201, 'group'),
  ] as { id: number; name: string }[];

  const local = (minutes: number) => DateTime.fromISO(day, { zone: timezone }).plus({ minutes }).toUTC().toISO()!;
  const machines: SeededMachine[] = [];
  for (let i = 0; i < count; i += 1) {
    const groupId = groups[i < Math.ceil(count / 2) ? 0 : 1]!.id;
    const m = await ok(
      admin.post('/api/v1/machines', {
        name: machineNames[i]!,
        groupId,
        shiftPatternId: i === count - 1 ? null : shiftPatternId,
        endJobOnShiftEnd: false,
      }),
      201,
      'machine',
    );
    const plan = planDay(i, codes);
    for (const step of plan.steps) {
      if (step.kind === 'event') {
        await ok(
          admin.post('/api/v1/events', { events: [{ machineId: m.id, at: local(step.at), activityCodeId: step.codeId }] }),
          200,
          `event ${m.name} ${hhmm(step.at)}`,
        );
      } else if (step.kind === 'start') {
        await ok(
          admin.post(`/api/v1/machines/${m.id}/jobs`, {
            jobNumber: step.jobNumber,
            idealCycleTimeSeconds: step.idealCycleTimeSeconds,
            at: local(step.at),
          }),
          201,
          `job start ${m.name}`,
        );
      } else {
        await ok(
          admin.post(`/api/v1/machines/${m.id}/jobs/current/end`, { good: step.good, rejects: step.rejects, at: local(step.at) }),
          200,
          `job end ${m.name}`,
        );
      }
    }
    machines.push({ id: m.id, name: m.name, groupId, segments: plan.segments, jobs: plan.jobs });
  }
  return { timezone, day, groups, machines, codes, shiftPatternId };
}

type Step =
  | { kind: 'event'; at: number; codeId: number }
  | { kind: 'start'; at: number; jobNumber: string; idealCycleTimeSeconds: number }
  | { kind: 'end'; at: number; good: number; rejects: number };

/**
 * One machine's day in site-local minutes: closed overnight, two jobs across the two shifts with
 * stops of several reasons inside them, a break, a changeover between the jobs, closed from 22:00.
 */
function planDay(index: number, codes: SeededPlant['codes']) {
  const rand = prng(1000 + index * 7919);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const steps: Step[] = [];
  const segments: SeededMachine['segments'] = [];
  const jobs: SeededMachine['jobs'] = [];
  const push = (at: number, codeId: number, jobNumber: string | null) => {
    const last = segments[segments.length - 1];
    if (last) last.end = hhmm(at);
    segments.push({ start: hhmm(at), end: '', codeId, jobNumber });
  };

  steps.push({ kind: 'event', at: 0, codeId: codes.closed });
  push(0, codes.closed, null);
  const setupAt = 5 * 60 + int(35, 50);
  steps.push({ kind: 'event', at: setupAt, codeId: codes.changeover });
  push(setupAt, codes.changeover, null);

  const jobWindows: [number, number][] = [
    [6 * 60 + int(0, 15), 13 * 60 + int(20, 50)],
    [14 * 60 + int(5, 40), 21 * 60 + int(20, 50)],
  ];
  // The fourth machine lost its afternoon to a long breakdown.
  const stopReasons = [codes.down, codes.breakdown, codes.material, codes.jam, codes.jam, codes.cleaning];
  jobWindows.forEach(([start, end], j) => {
    const jobNumber = `${24_000 + index * 10 + j + 1}`;
    const idealCycleTimeSeconds = [30, 45, 60, 20, 90, 15][index % 6]!;
    steps.push({ kind: 'start', at: start, jobNumber, idealCycleTimeSeconds });
    push(start, codes.up, jobNumber);

    // Stops inside the job: a break at 10:00 or 18:00 for 20-30 min, plus 2-4 random stops.
    const stops: { at: number; minutes: number; codeId: number }[] = [];
    stops.push({ at: (j === 0 ? 10 : 18) * 60 + int(0, 10), minutes: int(20, 30), codeId: codes.break });
    const random = index === 3 && j === 1 ? 1 : int(2, 4);
    for (let k = 0; k < random; k += 1) {
      const minutes = index === 3 && j === 1 ? 150 : int(4, 40);
      const at = int(start + 20, end - minutes - 20);
      const codeId = index === 3 && j === 1 ? codes.breakdown : stopReasons[int(0, stopReasons.length - 1)]!;
      if (stops.every((s) => at + minutes + 5 < s.at || at > s.at + s.minutes + 5)) stops.push({ at, minutes, codeId });
    }
    stops.sort((a, b) => a.at - b.at);
    let runMinutes = end - start;
    for (const s of stops) {
      steps.push({ kind: 'event', at: s.at, codeId: s.codeId });
      push(s.at, s.codeId, jobNumber);
      steps.push({ kind: 'event', at: s.at + s.minutes, codeId: codes.up });
      push(s.at + s.minutes, codes.up, jobNumber);
      runMinutes -= s.minutes;
    }
    const total = Math.floor(((runMinutes * 60) / idealCycleTimeSeconds) * (0.78 + rand() * 0.17));
    const rejects = Math.floor(total * (0.005 + rand() * 0.035));
    steps.push({ kind: 'end', at: end, good: total - rejects, rejects });
    push(end, codes.down, null);
    jobs.push({ jobNumber, start: hhmm(start), end: hhmm(end), idealCycleTimeSeconds, good: total - rejects, rejects });
    if (j === 0) {
      const changeoverAt = end + int(2, 8);
      steps.push({ kind: 'event', at: changeoverAt, codeId: codes.changeover });
      push(changeoverAt, codes.changeover, null);
    }
  });
  steps.push({ kind: 'event', at: 22 * 60, codeId: codes.closed });
  push(22 * 60, codes.closed, null);
  segments[segments.length - 1]!.end = '24:00';
  return { steps, segments, jobs };
}
