import { describe, expect, it } from 'vitest';
import { emptyElements } from '../../core/oee/index.js';
import { RollupRows, type StoredRollup } from '../../db/repositories/oee-rollup.repository.js';
import { RollupWriter } from './rollup-writer.js';
import { StaleGuard } from './stale-guard.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-05-04T00:00:00Z');
const row = (machineId: number, hour: number, hours = 1): StoredRollup => ({
  machineId,
  start: new Date(T0 + hour * HOUR),
  hours,
  elements: emptyElements(),
});
/** The writer starts on a later turn of the event loop. */
const turn = () => new Promise((resolve) => setImmediate(resolve));
const names = (rows: StoredRollup[]) => rows.map((r) => `${r.machineId}@${(r.start.getTime() - T0) / HOUR}x${r.hours}`);

/** A writer over a fake table whose INSERTs wait until released (`gate`), and a fake delete queue. */
function setUp(options: { gate?: boolean; fail?: boolean } = {}) {
  const guard = new StaleGuard();
  const written: StoredRollup[][] = [];
  const releases: (() => void)[] = [];
  let flushes = 0;
  const redone: string[] = [];
  const writer = new RollupWriter(
    {
      store: async (rows) => {
        if (options.gate) await new Promise<void>((resolve) => releases.push(resolve));
        if (options.fail) throw new Error('database away');
        written.push(rows.list());
      },
    },
    guard,
    { flush: async () => void flushes++ },
  );
  /** A computation: takes a snapshot, as OeeRollups.elements does, and hands rows over holding it. */
  const compute = (rows: StoredRollup[]) => {
    const snapshot = guard.begin();
    return {
      submit: () => {
        guard.retain(snapshot);
        writer.submit(snapshot, RollupRows.of(rows));
      },
      end: () => guard.end(snapshot),
    };
  };
  const change = (machineId: number | null, fromHour: number) =>
    guard.remember(machineId, T0 + fromHour * HOUR, () => redone.push(`${machineId}@${fromHour}`));
  return { guard, writer, written, releases, compute, change, redone, flushes: () => flushes };
}

describe('RollupWriter', () => {
  it('writes what a computation handed over, after it has answered', async () => {
    const s = setUp();
    const c = s.compute([row(1, 0), row(1, 1), row(2, 0)]);
    c.submit();
    c.end();
    await s.writer.flush();
    expect(s.written.map(names)).toEqual([['1@0x1', '1@1x1', '2@0x1']]);
  });

  it('does not write rows a change heard between the computation and the write touched', async () => {
    const s = setUp();
    const c = s.compute([row(1, 0), row(1, 1), row(1, 0, 24), row(2, 1)]);
    c.submit();
    c.end(); // the computation has answered; its rows wait in the queue
    s.change(1, 1); // machine 1 changed from 01:00: rows ending after it are stale
    await s.writer.flush();
    expect(s.written.map(names)).toEqual([['1@0x1', '2@1x1']]);
    expect(s.redone).toEqual([]);
  });

  it('a change heard before the computation started does not stop its rows', async () => {
    const s = setUp();
    s.change(null, -100);
    const c = s.compute([row(1, 0)]);
    c.submit();
    c.end();
    await s.writer.flush();
    expect(s.written.map(names)).toEqual([['1@0x1']]);
  });

  it('a change heard while the rows are being written has its delete run again', async () => {
    const s = setUp({ gate: true });
    const c = s.compute([row(1, 0), row(2, 0)]);
    c.submit();
    c.end();
    await turn();
    expect(s.releases).toHaveLength(1); // the INSERT is under way
    s.change(2, 0);
    s.releases[0]!();
    await s.writer.flush();
    expect(s.written.map(names)).toEqual([['1@0x1', '2@0x1']]);
    expect(s.redone).toEqual(['2@0']);
    expect(s.flushes()).toBe(1);
  });

  it('keeps remembering changes for a queued computation until its rows are written, then forgets them', async () => {
    const s = setUp({ gate: true });
    const first = s.compute([row(1, 0)]);
    first.submit();
    first.end();
    const second = s.compute([row(1, 5)]);
    second.submit();
    second.end();
    s.change(1, 3); // after both snapshots: the second computation's 05:00 hour is stale, the first's 00:00 is not
    await turn();
    s.releases.shift()!();
    await turn();
    expect(s.releases).toHaveLength(0); // nothing left to write: the stale hour was dropped
    await s.writer.flush();
    expect(s.written.map(names)).toEqual([['1@0x1']]);
    const later = s.guard.begin();
    expect(s.guard.storable(later, 1, T0 + 10 * HOUR)).toBe(true);
    s.guard.end(later);
  });

  it('queues a row once, and a failed write drops its rows without blocking the next', async () => {
    const s = setUp({ fail: true });
    const a = s.compute([row(1, 0), row(1, 1)]);
    a.submit();
    const b = s.compute([row(1, 1), row(1, 2)]);
    b.submit();
    a.end();
    b.end();
    await s.writer.flush();
    expect(s.written).toEqual([]);
    const ok = setUp();
    const c = ok.compute([row(1, 0), row(1, 1)]);
    c.submit();
    const d = ok.compute([row(1, 1), row(1, 2)]);
    d.submit();
    c.end();
    d.end();
    await ok.writer.flush();
    expect(ok.written.map(names)).toEqual([['1@0x1', '1@1x1'], ['1@2x1']]);
  });
});
