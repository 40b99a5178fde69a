import { DateTime } from 'luxon';
import type { Clock } from '../../core/clock.js';
import { bucketRanges, plannedShifts, type TimeRange } from '../../core/calendar/index.js';
import { AppError } from '../../core/errors.js';
import { deriveRatios, sumElements, type OeeElements, type OeeResult } from '../../core/oee/index.js';
import { MAX_OEE_BUCKETS, type OeeBucket } from '../../core/schemas/oee.schema.js';
import type { OeeContext, OeeMachine } from '../../db/repositories/oee-data.repository.js';
import { HOUR_MS } from '../../db/repositories/oee-rollup.repository.js';
import type { Repositories } from '../../db/repositories/index.js';
import type { ComputeOptions, OeeRollups } from './rollups.js';

export interface BucketedResult extends OeeResult {
  buckets?: OeeResult[];
  /** The effective OEE target of the machine, group or site (core/oee/target.ts). */
  target: number;
}

export interface GroupResult extends BucketedResult {
  machines: (OeeResult & { machineId: number; target: number })[];
}

/**
 * OEE results for a machine, a group or the whole site, over any window, with optional buckets
 * (docs/oee.md). The maths is core/oee's; the elements come from OeeRollups (stored rows and raw
 * history). Machines → group → site and hours → days → buckets sum ELEMENTS, then divide once
 * (`deriveRatios`).
 */
export class OeeResults {
  constructor(
    private readonly repos: Pick<Repositories, 'oeeData' | 'groups'>,
    private readonly clock: Clock,
    private readonly rollups: Pick<OeeRollups, 'elements'>,
    /** Windows up to this long are computed from the raw history alone... */
    private readonly rawMaxMs: number,
    /** ...for machines with fewer intervals than this in them (ComputeOptions.rawMaxIntervals). */
    private readonly rawMaxIntervals: number | null,
  ) {}

  /**
   * One machine over [from, to) (`to` is clipped to now by the calculation), optionally bucketed;
   * `how` overrides which windows are computed raw (the verifier: all of them).
   */
  async machineOee(
    machineId: number,
    from: Date,
    to: Date,
    bucket?: OeeBucket,
    how: Partial<Pick<ComputeOptions, 'rawMaxMs' | 'rawMaxIntervals'>> = {},
  ): Promise<BucketedResult> {
    const options = { ...this.options(), ...how };
    // A short window's history (for a dense machine, only the probe that finds it dense) loads while the context is read.
    const end = Math.min(to.getTime(), options.now);
    if (end > from.getTime() && end - from.getTime() <= options.rawMaxMs) {
      const load = this.repos.oeeData.shortWindow([machineId], from, new Date(end), options.rawMaxIntervals);
      load.catch(() => undefined); // a failure surfaces where it is used
      options.prefetched = { machineIds: [machineId], from: from.getTime(), to: end, load };
    }
    const context = await this.repos.oeeData.context({ machineId });
    if (context.machines.length === 0) throw AppError.notFound(`Machine ${machineId}`);
    const { whole, buckets } = await this.compute(context, from, to, bucket, options);
    const result: BucketedResult = { ...deriveRatios(whole[0]!, from, to), target: context.machines[0]!.oeeTarget };
    if (buckets) result.buckets = buckets.map((b) => named(deriveRatios(b.elements, b.range.from, b.range.to), b.range));
    return result;
  }

  /**
   * A group (or, with `groupId` null, the whole site): the machines' elements summed, then divided.
   * `machines` lists each machine's own result over the whole window. With `shift` buckets the
   * buckets are the shifts of every pattern the machines use (a 24/7 machine: days).
   */
  async groupOee(groupId: number | null, from: Date, to: Date, bucket?: OeeBucket): Promise<GroupResult> {
    if (groupId !== null) await this.repos.groups.get(groupId); // 404 for an unknown group
    const context = await this.repos.oeeData.context(groupId === null ? {} : { groupId });
    const { whole, buckets } = await this.compute(context, from, to, bucket, this.options());
    const result: GroupResult = {
      ...deriveRatios(sumElements(whole), from, to),
      target: context.oeeTarget,
      machines: context.machines.map((m, i) => ({ machineId: m.id, ...deriveRatios(whole[i]!, from, to), target: m.oeeTarget })),
    };
    if (buckets) result.buckets = buckets.map((b) => named(deriveRatios(b.elements, b.range.from, b.range.to), b.range));
    return result;
  }

  /**
   * The machine's current shift, whole (the calculation stops at now): the planned shift holding
   * now, else the last one that ended in the past week, else (24/7, or no shift lately) the current
   * local day. For live screens.
   */
  async currentShiftOee(machineId: number): Promise<OeeResult> {
    const context = await this.repos.oeeData.context({ machineId });
    const machine = context.machines[0];
    if (!machine) throw AppError.notFound(`Machine ${machineId}`);
    const now = this.clock.now();
    const range = currentShift(machine, context.timezone, now) ?? localDay(DateTime.fromJSDate(now, { zone: context.timezone }));
    const { whole } = await this.compute(context, range.from, range.to, undefined, { ...this.options(), now: now.getTime() });
    return named(deriveRatios(whole[0]!, range.from, range.to), range);
  }

  private options(): ComputeOptions {
    return { now: this.clock.now().getTime(), rawMaxMs: this.rawMaxMs, rawMaxIntervals: this.rawMaxIntervals };
  }

  /**
   * Elements of every machine of the context over [from, to) (`whole`, by machine index) and, with
   * a bucket kind, of all machines together over each bucket.
   */
  private async compute(
    context: OeeContext,
    from: Date,
    to: Date,
    bucket: OeeBucket | undefined,
    options: ComputeOptions,
  ): Promise<{ whole: OeeElements[]; buckets?: { range: TimeRange; elements: OeeElements }[] }> {
    const bucketList = bucket ? bucketsOf(bucket, context, from, to) : [];
    const slots = await this.rollups.elements(context, { from, to }, bucketList, options);
    const count = context.machines.length;
    return {
      whole: slots.slice(0, count),
      ...(bucket ? { buckets: bucketList.map((range, b) => ({ range, elements: slots[count + b]! })) } : {}),
    };
  }
}

/** Bucket ranges of the request, refused (400) beyond MAX_OEE_BUCKETS before they are all built. */
function bucketsOf(kind: OeeBucket, context: OeeContext, from: Date, to: Date): TimeRange[] {
  const span = to.getTime() - from.getTime();
  // Shortest possible bucket of each kind (a DST day is 23 h); shifts are counted once built.
  const shortest = { hour: HOUR_MS, day: 23 * HOUR_MS, week: 167 * HOUR_MS, shift: 60_000 }[kind];
  const tooMany = () =>
    AppError.invalid(`Too many buckets: at most ${MAX_OEE_BUCKETS} per request; use a larger bucket or a shorter window`, [
      { path: ['bucket'], message: `more than ${MAX_OEE_BUCKETS} buckets` },
    ]);
  if (kind !== 'shift' && span / shortest > MAX_OEE_BUCKETS + 2) throw tooMany();
  if (kind === 'shift' && span > MAX_OEE_BUCKETS * 86_400_000) throw tooMany();
  let ranges: TimeRange[];
  if (kind !== 'shift') {
    ranges = bucketRanges(kind, from, to, context.timezone, null);
  } else {
    // Each pattern's shifts (24/7 machines: days), once per distinct range.
    const patterns = new Map(context.machines.map((m) => [m.shiftPatternId, m.pattern]));
    const seen = new Map<string, TimeRange>();
    for (const pattern of patterns.values()) {
      for (const r of bucketRanges('shift', from, to, context.timezone, pattern)) {
        // Two patterns with the same shift times: the bucket takes the first name given.
        const key = `${r.from.getTime()}|${r.to.getTime()}`;
        if (seen.get(key)?.name === undefined) seen.set(key, r);
      }
      if (seen.size > MAX_OEE_BUCKETS) throw tooMany();
    }
    ranges = [...seen.values()].sort((a, b) => a.from.getTime() - b.from.getTime() || a.to.getTime() - b.to.getTime());
  }
  if (ranges.length > MAX_OEE_BUCKETS) throw tooMany();
  return ranges;
}

function currentShift(machine: OeeMachine, timezone: string, now: Date): TimeRange | null {
  if (machine.pattern === null) return null;
  const shifts = plannedShifts(machine.pattern, timezone, new Date(now.getTime() - 7 * 86_400_000), new Date(now.getTime() + 1));
  const current = shifts.filter((s) => s.start <= now && s.end > now).at(-1) ?? shifts.filter((s) => s.end <= now).at(-1);
  return current ? { from: current.start, to: current.end, ...(current.name === undefined ? {} : { name: current.name }) } : null;
}

/** A shift's result carries the shift's name (docs/oee.md#buckets). */
function named(result: OeeResult, range: TimeRange): OeeResult {
  return range.name === undefined ? result : { ...result, shiftName: range.name };
}

/** The local day holding `at`, midnight to midnight (23 or 25 h on DST days). */
export function localDay(at: DateTime): TimeRange {
  const day = at.startOf('day');
  return { from: day.toJSDate(), to: day.plus({ days: 1 }).startOf('day').toJSDate() };
}
