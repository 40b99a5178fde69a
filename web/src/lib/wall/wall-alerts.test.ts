import { describe, expect, it } from 'vitest';
import type { LiveAlert } from '$core/realtime/live-events.js';
import { alertHeadline, applyAlertChange, bannerOrder } from './wall-alerts';

const alert = (id: number, over: Partial<LiveAlert> = {}): LiveAlert => ({
  id,
  machineId: 1,
  machineName: 'Press',
  ruleName: 'Long stop',
  kind: 'stop_longer_than',
  level: 1,
  stopStart: '2026-12-03T10:00:00.000Z',
  detectedAt: '2026-12-03T10:05:00.000Z',
  acknowledgedAt: null,
  acknowledgedBy: null,
  ...over,
});

describe('wall alerts', () => {
  it('adds, escalates, acknowledges and removes, never going back', () => {
    let alerts = applyAlertChange([], { alertId: 1, machineId: 1, alert: alert(1) });
    alerts = applyAlertChange(alerts, { alertId: 1, machineId: 1, alert: alert(1, { level: 2 }) });
    expect(alerts).toEqual([alert(1, { level: 2 })]);
    const acked = alert(1, { level: 2, acknowledgedAt: '2026-12-03T10:20:00.000Z', acknowledgedBy: 'ann' });
    alerts = applyAlertChange(alerts, { alertId: 1, machineId: 1, alert: acked });
    expect(applyAlertChange(alerts, { alertId: 1, machineId: 1, alert: alert(1, { level: 2 }) })).toEqual([acked]);
    expect(applyAlertChange(alerts, { alertId: 1, machineId: 1, alert: null })).toEqual([]);
  });

  it('orders the banner: unacknowledged, highest level, newest first', () => {
    const a = alert(1, { level: 1, detectedAt: '2026-12-03T10:05:00.000Z' });
    const b = alert(2, { level: 1, detectedAt: '2026-12-03T10:07:00.000Z' });
    const c = alert(3, { level: 3 });
    const d = alert(4, { level: 3, acknowledgedAt: '2026-12-03T10:09:00.000Z' });
    expect(bannerOrder([a, d, b, c]).map((x) => x.id)).toEqual([3, 2, 1, 4]);
  });

  it('writes the headline in whole minutes since the stop began', () => {
    expect(alertHeadline(alert(1, { level: 2 }), Date.parse('2026-12-03T10:14:59Z'))).toBe('Alert L2 · 14 min');
  });
});
