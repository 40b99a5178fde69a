import { describe, expect, it } from 'vitest';
import { correctionMoves } from './correction-moves.js';

const DOWN = 2;
const UP = 1;
const SETUP = 7;
const JAM = 9;
const at = (hhmm: string) => `2026-03-10T${hhmm}:00.000Z`;
const iv = (start: string, end: string, activityCodeId: number) => ({ start: at(start), end: at(end), activityCodeId });

describe('correctionMoves', () => {
  it('one code over the span: everything moves to it', () => {
    expect(correctionMoves([iv('10:00', '11:20', DOWN)], [iv('10:00', '11:20', SETUP)])).toEqual([
      { fromActivityCodeId: DOWN, toActivityCodeId: SETUP, seconds: 4_800 },
    ]);
  });

  it('several codes before: one move per code, largest first; time already in the new code moves nothing', () => {
    const before = [iv('08:00', '08:30', UP), iv('08:30', '09:45', DOWN), iv('09:45', '10:00', SETUP), iv('10:00', '10:10', JAM)];
    const after = [iv('08:00', '10:10', SETUP)];
    expect(correctionMoves(before, after)).toEqual([
      { fromActivityCodeId: DOWN, toActivityCodeId: SETUP, seconds: 4_500 },
      { fromActivityCodeId: UP, toActivityCodeId: SETUP, seconds: 1_800 },
      { fromActivityCodeId: JAM, toActivityCodeId: SETUP, seconds: 600 },
    ]);
  });

  it('pieces that differ only in job or operator are added up per pair of codes', () => {
    // The after side is cut at a job boundary (11:00) that the before side does not have.
    const before = [iv('10:00', '10:40', DOWN), iv('10:40', '12:00', DOWN)];
    const after = [iv('10:00', '11:00', JAM), iv('11:00', '12:00', JAM)];
    expect(correctionMoves(before, after)).toEqual([{ fromActivityCodeId: DOWN, toActivityCodeId: JAM, seconds: 7_200 }]);
  });

  it('the same code before and after, or no intervals, moves nothing', () => {
    expect(correctionMoves([iv('10:00', '11:00', DOWN)], [iv('10:00', '11:00', DOWN)])).toEqual([]);
    expect(correctionMoves([], [iv('10:00', '11:00', DOWN)])).toEqual([]);
    expect(correctionMoves([iv('10:00', '11:00', DOWN)], [])).toEqual([]);
  });

  it('takes epoch ms too, in any order, and ignores empty intervals', () => {
    const h = 3_600_000;
    const before = [
      { start: 2 * h, end: 3 * h, activityCodeId: UP },
      { start: 0, end: 2 * h, activityCodeId: DOWN },
      { start: 3 * h, end: 3 * h, activityCodeId: JAM },
    ];
    const after = [{ start: 0, end: 3 * h, activityCodeId: UP }];
    expect(correctionMoves(before, after)).toEqual([{ fromActivityCodeId: DOWN, toActivityCodeId: UP, seconds: 7_200 }]);
  });

  it('splits a correction that covers only part of an interval, and keeps sub-second precision', () => {
    const before = [{ start: at('10:00'), end: '2026-03-10T10:00:01.500Z', activityCodeId: DOWN }];
    const after = [
      { start: at('10:00'), end: '2026-03-10T10:00:00.250Z', activityCodeId: DOWN },
      { start: '2026-03-10T10:00:00.250Z', end: '2026-03-10T10:00:01.500Z', activityCodeId: SETUP },
    ];
    expect(correctionMoves(before, after)).toEqual([{ fromActivityCodeId: DOWN, toActivityCodeId: SETUP, seconds: 1.25 }]);
  });
});
