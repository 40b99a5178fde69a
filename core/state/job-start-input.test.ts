import { describe, expect, it } from 'vitest';
import type { JobStartInputType } from '../schemas/setup.schema.js';
import {
  cycleTimeKeys,
  idealCycleTimeFromInput,
  idealCycleTimeFromTablet,
  jobStartInputSchema,
  requestedJobStartData,
} from './job-start-input.js';

const seconds = (idealCycleTimeSeconds: number | null) => ({ ok: true, idealCycleTimeSeconds });

describe('idealCycleTimeFromInput (new API)', () => {
  it('converts each one-number type to seconds per part', () => {
    const cases: [JobStartInputType, number, number][] = [
      ['cycle_time_seconds', 30, 30],
      ['cycle_time_seconds', 0.5, 0.5],
      ['cycle_time_minutes', 2, 120],
      ['cycle_time_minutes', 1.1, 66],
      ['cycle_time_hours', 0.25, 900],
      ['parts_per_second', 4, 0.25],
      ['parts_per_minute', 12, 5],
      ['parts_per_minute', 7, 8.57142857143],
      ['parts_per_hour', 40, 90],
      ['parts_per_hour', 3600, 1],
    ];
    for (const [type, value, expected] of cases) {
      expect(idealCycleTimeFromInput(type, { value }), `${type} ${value}`).toEqual(seconds(expected));
    }
  });

  it('turns 40 parts per hour into exactly 90 s', () => {
    const result = idealCycleTimeFromInput('parts_per_hour', { value: 40 });
    expect(result.ok && result.idealCycleTimeSeconds).toBe(90);
  });

  it('turns 120 parts planned in 60 minutes into 30 s', () => {
    expect(idealCycleTimeFromInput('planned_qty_minutes', { plannedQuantity: 120, plannedTimeMinutes: 60 })).toEqual(seconds(30));
    expect(idealCycleTimeFromInput('planned_qty_minutes', { plannedQuantity: 7, plannedTimeMinutes: 1 })).toEqual(seconds(8.57142857143));
  });

  it('gives no ideal cycle time for no_cycle_time, whatever comes', () => {
    expect(idealCycleTimeFromInput('no_cycle_time', undefined)).toEqual(seconds(null));
    expect(idealCycleTimeFromInput('no_cycle_time', { value: 30 })).toEqual(seconds(null));
  });

  it('gives no ideal cycle time when none is given', () => {
    expect(idealCycleTimeFromInput('parts_per_hour', undefined)).toEqual(seconds(null));
    expect(idealCycleTimeFromInput('cycle_time_seconds', {})).toEqual(seconds(null));
    expect(idealCycleTimeFromInput('planned_qty_minutes', {})).toEqual(seconds(null));
  });

  it('refuses input of the other shape instead of dropping it', () => {
    expect(idealCycleTimeFromInput('planned_qty_minutes', { value: 30 })).toEqual({
      ok: false,
      status: 400,
      code: 'invalid_input',
      message: 'value: this machine asks for plannedQuantity and plannedTimeMinutes',
      issues: [{ path: ['value'], message: 'this machine asks for plannedQuantity and plannedTimeMinutes' }],
    });
    expect(idealCycleTimeFromInput('parts_per_hour', { plannedQuantity: 120, plannedTimeMinutes: 60 })).toMatchObject({
      ok: false,
      issues: [{ path: ['plannedQuantity'], message: 'this machine asks for value (Parts per hour)' }],
    });
  });

  it('refuses zero, negative and non-finite numbers, never returning NaN or Infinity', () => {
    for (const value of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(idealCycleTimeFromInput('parts_per_hour', { value }), String(value)).toMatchObject({
        ok: false,
        status: 400,
        issues: [{ path: ['value'], message: 'expected a number greater than 0' }],
      });
    }
    expect(idealCycleTimeFromInput('planned_qty_minutes', { plannedQuantity: 0, plannedTimeMinutes: -1 })).toMatchObject({
      ok: false,
      issues: [
        { path: ['plannedQuantity'], message: 'expected a number greater than 0' },
        { path: ['plannedTimeMinutes'], message: 'expected a number greater than 0' },
      ],
    });
  });

  it('refuses values whose conversion overflows or underflows', () => {
    const outOfRange = { ok: false, issues: [{ path: ['value'], message: 'gives an ideal cycle time out of range' }] };
    expect(idealCycleTimeFromInput('cycle_time_hours', { value: 1e306 })).toMatchObject(outOfRange);
    expect(idealCycleTimeFromInput('parts_per_second', { value: 1e-320 })).toMatchObject(outOfRange);
    const plannedOutOfRange = { ok: false, issues: [{ path: ['plannedTimeMinutes'], message: 'gives an ideal cycle time out of range' }] };
    expect(idealCycleTimeFromInput('planned_qty_minutes', { plannedQuantity: 1, plannedTimeMinutes: 1e307 })).toMatchObject(
      plannedOutOfRange,
    );
    expect(idealCycleTimeFromInput('planned_qty_minutes', { plannedQuantity: 1e308, plannedTimeMinutes: 1e-20 })).toMatchObject(
      plannedOutOfRange,
    );
  });
});

describe('idealCycleTimeFromTablet (DigitME2 app, strings)', () => {
  const body = (fields: Record<string, unknown>) => ({ job_number: 'J1', device_uuid: 'u', ...fields });

  it('parses the strings the app sends', () => {
    expect(idealCycleTimeFromTablet('cycle_time_seconds', body({ ideal_cycle_time: '30' }))).toEqual(seconds(30));
    expect(idealCycleTimeFromTablet('cycle_time_minutes', body({ ideal_cycle_time: '1.5' }))).toEqual(seconds(90));
    expect(idealCycleTimeFromTablet('cycle_time_hours', body({ ideal_cycle_time: ' 2 ' }))).toEqual(seconds(7200));
    expect(idealCycleTimeFromTablet('parts_per_second', body({ ideal_cycle_time: '.5' }))).toEqual(seconds(2));
    expect(idealCycleTimeFromTablet('parts_per_minute', body({ ideal_cycle_time: '30' }))).toEqual(seconds(2));
    expect(idealCycleTimeFromTablet('parts_per_hour', body({ ideal_cycle_time: '40' }))).toEqual(seconds(90));
    expect(idealCycleTimeFromTablet('parts_per_hour', body({ ideal_cycle_time: 40 }))).toEqual(seconds(90));
    expect(idealCycleTimeFromTablet('planned_qty_minutes', body({ planned_quantity: '120', planned_time: '60' }))).toEqual(seconds(30));
    expect(idealCycleTimeFromTablet('no_cycle_time', body({}))).toEqual(seconds(null));
  });

  it('refuses strings that are not positive decimals', () => {
    for (const value of ['', ' ', 'abc', '0', '-3', '0x10', 'Infinity', 'NaN', '1,5', '12abc', true, {}]) {
      expect(idealCycleTimeFromTablet('parts_per_hour', body({ ideal_cycle_time: value })), JSON.stringify(value)).toEqual({
        ok: false,
        status: 400,
        code: 'invalid_input',
        message: 'ideal_cycle_time: expected a number greater than 0',
        issues: [{ path: ['ideal_cycle_time'], message: 'expected a number greater than 0' }],
      });
    }
  });

  it('requires every field the tablet was asked for', () => {
    expect(idealCycleTimeFromTablet('cycle_time_seconds', body({}))).toMatchObject({
      ok: false,
      message: 'ideal_cycle_time: required',
    });
    expect(idealCycleTimeFromTablet('planned_qty_minutes', body({ planned_quantity: '120' }))).toMatchObject({
      ok: false,
      issues: [{ path: ['planned_time'], message: 'required' }],
    });
    expect(idealCycleTimeFromTablet('planned_qty_minutes', body({ planned_quantity: '0', planned_time: '60' }))).toMatchObject({
      ok: false,
      issues: [{ path: ['planned_quantity'], message: 'expected a number greater than 0' }],
    });
  });
});

describe('jobStartInputSchema', () => {
  const issues = (input: unknown) => {
    const result = jobStartInputSchema.safeParse(input);
    return result.success ? [] : result.error.issues.map((issue) => [issue.path.join('.'), issue.message]);
  };

  it('accepts {value}, {plannedQuantity, plannedTimeMinutes} and {}', () => {
    expect(jobStartInputSchema.parse({ value: 40 })).toEqual({ value: 40 });
    expect(jobStartInputSchema.parse({ plannedQuantity: 120, plannedTimeMinutes: 60 })).toEqual({
      plannedQuantity: 120,
      plannedTimeMinutes: 60,
    });
    expect(jobStartInputSchema.parse({})).toEqual({});
  });

  it('names the bad field', () => {
    expect(issues({ value: 0 })).toEqual([['value', 'Too small: expected number to be >0']]);
    expect(issues({ value: '30' })).toEqual([['value', 'Invalid input: expected number, received string']]);
    expect(issues({ plannedQuantity: 120 })).toEqual([['plannedTimeMinutes', 'required with plannedQuantity']]);
    expect(issues({ plannedTimeMinutes: 60 })).toEqual([['plannedQuantity', 'required with plannedTimeMinutes']]);
    expect(issues({ value: 1, plannedQuantity: 2, plannedTimeMinutes: 3 })).toEqual([
      ['value', 'give value, or plannedQuantity and plannedTimeMinutes, not both'],
    ]);
    expect(issues({ value: 1, extra: 2 })).toEqual([['', 'Unrecognized key: "extra"']]);
  });
});

describe('requestedJobStartData', () => {
  it('asks for the job number and the cycle time titled by input type', () => {
    const titles: [JobStartInputType, string][] = [
      ['cycle_time_seconds', 'Ideal cycle time (sec)'],
      ['cycle_time_minutes', 'Ideal cycle time (min)'],
      ['cycle_time_hours', 'Ideal cycle time (hrs)'],
      ['parts_per_second', 'Parts per second'],
      ['parts_per_minute', 'Parts per minute'],
      ['parts_per_hour', 'Parts per hour'],
    ];
    for (const [jobStartInputType, title] of titles) {
      expect(requestedJobStartData({ jobStartInputType, jobNumberInputType: 'number' })).toEqual({
        job_number: { title: 'Job Number', type: 'number', autofill: '' },
        ideal_cycle_time: { title, type: 'number', autofill: '' },
      });
    }
  });

  it('asks for planned quantity and time, or nothing, in display order', () => {
    const planned = requestedJobStartData({ jobStartInputType: 'planned_qty_minutes', jobNumberInputType: 'text' });
    expect(planned).toEqual({
      job_number: { title: 'Job Number', type: 'text', autofill: '' },
      planned_quantity: { title: 'Planned quantity', type: 'number', autofill: '' },
      planned_time: { title: 'Planned time (min)', type: 'number', autofill: '' },
    });
    expect(Object.keys(planned)).toEqual(['job_number', 'planned_quantity', 'planned_time']);
    expect(requestedJobStartData({ jobStartInputType: 'no_cycle_time', jobNumberInputType: 'text' })).toEqual({
      job_number: { title: 'Job Number', type: 'text', autofill: '' },
    });
  });

  it('prefills the cycle-time field with a positive autofill only', () => {
    const machine = { jobStartInputType: 'parts_per_hour', jobNumberInputType: 'text' } as const;
    expect(requestedJobStartData(machine, 40).ideal_cycle_time?.autofill).toBe(40);
    expect(requestedJobStartData(machine, 0).ideal_cycle_time?.autofill).toBe('');
    expect(requestedJobStartData(machine, null).ideal_cycle_time?.autofill).toBe('');
  });

  it('keeps the requested keys and the tablet parser in step', () => {
    for (const type of ['cycle_time_seconds', 'planned_qty_minutes', 'no_cycle_time'] as const) {
      const requested = Object.keys(requestedJobStartData({ jobStartInputType: type, jobNumberInputType: 'text' }));
      expect(requested).toEqual(['job_number', ...cycleTimeKeys(type)]);
    }
  });
});
