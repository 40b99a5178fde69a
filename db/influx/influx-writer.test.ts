import { describe, expect, it } from 'vitest';
import { toPoint } from './influx-writer.js';

const msPrecision = { convertTime: (t: unknown) => String((t as Date).getTime()) };

describe('toPoint', () => {
  it('types each field from influx-names.ts, not from its JSON value, and escapes tags and strings', () => {
    const line = toPoint({
      id: '1',
      machineId: 3,
      measurement: 'machine_state',
      tags: { machine_id: '3', activity_code_id: '2', category: 'unplanned_stop' },
      fields: { running: 0, operator_id: 7, job_number: 'J "1", two', source: 'device' },
      at: new Date('2026-11-24T10:00:00.123Z'),
    }).toLineProtocol(msPrecision);
    expect(line).toBe(
      'machine_state,activity_code_id=2,category=unplanned_stop,machine_id=3 job_number="J \\"1\\", two",operator_id=7i,running=0i,source="device" 1795514400123',
    );
  });

  it('writes span_seconds as a float even when it is whole, and unknown numeric fields as floats', () => {
    const line = toPoint({
      id: '2',
      machineId: 3,
      measurement: 'production',
      tags: { machine_id: '3' },
      fields: { good: 5, rejects: 0, span_seconds: 60, future_field: 2 },
      at: new Date(0),
    }).toLineProtocol(msPrecision);
    expect(line).toBe('production,machine_id=3 future_field=2,good=5i,rejects=0i,span_seconds=60 0');
  });

  it('refuses a row without fields or with a non-numeric integer', () => {
    const row = { id: '3', machineId: 1, measurement: 'production', tags: { machine_id: '1' }, at: new Date(0) };
    expect(() => toPoint({ ...row, fields: {} })).toThrow(/at least one field/);
    expect(() => toPoint({ ...row, fields: { good: 'many' } })).toThrow(/invalid integer/);
  });
});
