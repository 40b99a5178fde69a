import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactBatchRow } from '../db/repositories/andon.repository.js';
import { AndonRepository } from '../db/repositories/andon.repository.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Last contacts (services/andon/contacts.ts): every instance flushes its batch in one statement. Two
 * flushes of overlapping sets, given in opposite orders, lock the same machine and data-source rows; the
 * statement takes them in (machine, sender) order, so concurrent flushes wait for each other and never
 * deadlock. Before it did, this test failed in its first rounds with "deadlock detected" (40P01).
 */
let app: TestApp;
let repo: AndonRepository;
/** Enough machines that PostgreSQL looks each batch's up by key, in the batch's (hashed) order, rather than scanning the table. */
const MACHINES = 3000;
let ids: number[];

beforeAll(async () => {
  app = await startTestApp({ env: { OEE_ROLES: 'ingest' } });
  repo = new AndonRepository(app.dataSource);
  const rows: { id: number }[] = await app.dataSource.query(
    `INSERT INTO machines (name, "heartbeatSeconds") SELECT 'Contact ' || g, 60 FROM generate_series(1, $1::int) g RETURNING id`,
    [MACHINES],
  );
  ids = rows.map((r) => r.id).sort((a, b) => a - b);
  await app.dataSource.query('ANALYZE machines');
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

const base = Date.parse('2026-11-20T10:00:00Z');
const at = (seconds: number) => new Date(base + seconds * 1000);
const batch = (machineIds: number[], senders: string[], round: number, offset: number): ContactBatchRow[] =>
  machineIds.flatMap((machineId) => senders.map((sender) => ({ sender, machineId, first: at(round * 10), last: at(round * 10 + offset) })));

describe('contact flushes', () => {
  it('run concurrently over overlapping sets in different orders without deadlocking, and keep the latest contact', async () => {
    const senders = ['api-key:1', 'api-key:2', 'mqtt:press'];
    // Small batches (a few machines each, as an instance's flush every 2 s has): PostgreSQL then looks the
    // machines up by key in the batch's hashed order, which differs between batches of different sizes.
    const some = ids.slice(0, 12);
    const pick = (round: number, i: number) => {
      const size = 3 + ((round + i * 3) % 8);
      const start = (round * 5 + i * 7) % some.length;
      const chosen = [...some.slice(start), ...some.slice(0, start)].slice(0, size);
      return (round + i) % 2 ? chosen.reverse() : chosen;
    };
    const ROUNDS = 120;
    const batches: number[][][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      batches.push([0, 1, 2, 3].map((i) => pick(round, i)));
      const results = await Promise.allSettled(
        batches[round]!.map((machineIds, i) =>
          repo.flushContacts(batch(machineIds, i % 2 ? [...senders].reverse() : senders, round, i + 1)),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    }
    // Each machine's latest contact: the last round's latest batch that has it (batch i is `i + 1` s late).
    const latest = (id: number) => {
      const round = batches.findLastIndex((r) => r.some((b) => b.includes(id)));
      return at(round * 10 + Math.max(...batches[round]!.map((b, i) => (b.includes(id) ? i + 1 : 0))));
    };
    const machines: { id: number; lastContactAt: Date }[] = await app.dataSource.query(
      `SELECT id, "lastContactAt" FROM machines WHERE id = ANY($1::int[]) ORDER BY id`,
      [some],
    );
    expect(machines).toEqual(some.map((id) => ({ id, lastContactAt: latest(id) })));
    const sources: { machineId: number; sender: string; lastContactAt: Date }[] = await app.dataSource.query(
      `SELECT "machineId", sender, "lastContactAt" FROM data_sources ORDER BY "machineId", sender`,
    );
    expect(sources).toEqual(
      some.flatMap((machineId) => [...senders].sort().map((sender) => ({ machineId, sender, lastContactAt: latest(machineId) }))),
    );
  }, 120_000);
});

describe('a contact flush beside state-event writes', () => {
  it('does not wait for the foreign-key locks (FOR KEY SHARE) a write holds on its machines', async () => {
    // A write's transaction, stopped after its foreign-key check on machine ids[0] (state_events → machines).
    const runner = app.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query(`SELECT 1 FROM machines WHERE id = $1 FOR KEY SHARE`, [ids[0]]);
      // FOR UPDATE here waited for the write, which could be waiting for this flush's next machine: a deadlock.
      const flushed = repo.flushContacts(batch([ids[1]!, ids[0]!], ['api-key:9'], 99, 1)).then(() => 'flushed');
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise((resolve) => (timer = setTimeout(resolve, 5_000, 'still waiting after 5 s')));
      expect(await Promise.race([flushed, waited])).toBe('flushed');
      clearTimeout(timer);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    const rows: { lastContactAt: Date }[] = await app.dataSource.query(`SELECT "lastContactAt" FROM machines WHERE id = $1`, [ids[0]]);
    expect(rows[0]!.lastContactAt.getTime()).toBeGreaterThanOrEqual(at(99 * 10 + 1).getTime());
  });
});
