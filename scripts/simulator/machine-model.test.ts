import { describe, expect, it } from 'vitest';
import { simMachines } from './machine-model.js';

describe('the simulator machines', () => {
  it('is deterministic by seed, and over a shift runs, stops with reasons and micro-stops, and makes parts', () => {
    const start = Date.parse('2026-11-24T06:00:00Z');
    const run = () => {
      const [m] = simMachines(1, 7, start);
      const out = [];
      for (let t = start; t <= start + 8 * 3_600_000; t += 5_000) out.push(m!.advance(t));
      return { out, m: m! };
    };
    const a = run();
    expect(JSON.stringify(run().out)).toBe(JSON.stringify(a.out));
    const changes = a.out.flatMap((o) => o.changes);
    const states = new Set(changes.map((c) => c.state));
    expect(states.has('RUN') && states.has('MICRO')).toBe(true);
    expect([...states].some((s) => s === 'BREAKDOWN' || s === 'MATERIAL' || s === 'SETUP')).toBe(true);
    // Alternates: every stop is followed by RUN, times increase.
    for (let i = 1; i < changes.length; i++) {
      expect(changes[i]!.at).toBeGreaterThan(changes[i - 1]!.at);
      expect(changes[i]!.state === 'RUN').toBe(changes[i - 1]!.state !== 'RUN');
    }
    const counts = a.out.flatMap((o) => (o.counts ? [o.counts] : []));
    const last = counts[counts.length - 1]!;
    expect(last.good + last.rejects).toBe(a.m.good + a.m.rejects);
    expect(a.m.good).toBeGreaterThan(100);
    expect(a.m.rejects).toBeGreaterThan(0);
  });
});
