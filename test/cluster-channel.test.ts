import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CLUSTER_EVENT_BYTES, type ClusterEvent } from '../core/cluster/cluster-events.js';
import type { CommittedChange } from '../core/cluster/committed-change.js';
import { CLUSTER_CHANNEL, PgClusterChannel } from '../db/cluster-channel.js';
import { createTestDatabase } from './support/test-app.js';

/** The transport of the inter-instance channel on its own: order, size limits, bad input, lost connections. */
const logger = pino({ level: 'silent' });
let databaseUrl: string;
let a: PgClusterChannel;
let b: PgClusterChannel;
let admin: pg.Client;
type ChangeEvent = Extract<ClusterEvent, { type: 'change' }>;
const heardByA: ChangeEvent[] = [];
const heardByB: ChangeEvent[] = [];

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  a = new PgClusterChannel(databaseUrl, logger);
  b = new PgClusterChannel(databaseUrl, logger);
  await Promise.all([a.start(), b.start()]);
  a.onEvent((e) => e.type === 'change' && heardByA.push(e));
  b.onEvent((e) => e.type === 'change' && heardByB.push(e));
  admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close(), admin?.end()]);
});

/** Resolves when `test` holds, checked on every tick, or fails after `ms`. */
async function until(test: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const timeline = (machineId: number): CommittedChange => ({ kind: 'timeline', machineId, from: '2026-05-04T09:00:00.000Z' });

describe('PgClusterChannel', () => {
  it('delivers every event to the other instances in the order sent, never to the sender, across NOTIFY size limits', async () => {
    heardByB.length = 0;
    // ~2000 events: well over one 8000-byte payload, sent in one tick and in several.
    for (let i = 1; i <= 1_000; i++) a.send('change', timeline(i));
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 1_001; i <= 2_000; i++) a.send('change', { kind: 'setup', entity: 'machine', id: i });
    await a.flushed();
    await until(() => heardByB.length >= 2_000, 'all 2000 events on B');
    expect(heardByB.map((e) => (e.data.kind === 'setup' ? e.data.id : e.data.machineId))).toEqual(
      Array.from({ length: 2_000 }, (_, i) => i + 1),
    );
    expect(heardByA).toEqual([]);
  });

  it('refuses an event too large for one NOTIFY, and sends the events around it', async () => {
    heardByB.length = 0;
    expect(a.send('change', timeline(1))).toBe(true);
    // A set-up change cannot be that large; a relayed /live message could (an OEE result with many losses).
    const huge = {
      event: 'machine:oee-updated',
      rooms: ['site'],
      payload: { machineId: 1, shift: { losses: 'x'.repeat(MAX_CLUSTER_EVENT_BYTES) } },
    };
    expect(a.send('live', huge as never)).toBe(false);
    expect(a.send('change', timeline(2))).toBe(true);
    await until(() => heardByB.length >= 2, 'the events around it');
    expect(heardByB.map((e) => e.data)).toEqual([timeline(1), timeline(2)]);
  });

  it('ignores malformed messages and invalid events, and keeps the valid events of a message', async () => {
    heardByB.length = 0;
    await admin.query('SELECT pg_notify($1, $2)', [CLUSTER_CHANNEL, 'not json']);
    await admin.query('SELECT pg_notify($1, $2)', [CLUSTER_CHANNEL, JSON.stringify({ events: [] })]);
    const events = [
      { type: 'change', data: { kind: 'timeline', machineId: 'x', from: '2026-05-04T09:00:00.000Z' } },
      { type: 'unknown', data: {} },
      { type: 'change', data: timeline(7) },
    ];
    await admin.query('SELECT pg_notify($1, $2)', [CLUSTER_CHANNEL, JSON.stringify({ from: 'someone else', events })]);
    a.send('change', timeline(8)); // a barrier: after it, everything before has been handled
    await until(() => heardByB.some((e) => e.data.kind === 'timeline' && e.data.machineId === 8), 'the barrier');
    expect(heardByB.map((e) => e.data)).toEqual([timeline(7), timeline(8)]);
  });

  it('reports a gap when its listening connection was lost, and hears again after it', async () => {
    heardByB.length = 0;
    let gaps = 0;
    b.onGap(() => gaps++);
    // End both LISTEN backends of this database (what a database restart does to them).
    const listeners: { pid: number }[] = (
      await admin.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = $1 AND pid <> pg_backend_pid()`, [
        `LISTEN ${CLUSTER_CHANNEL}`,
      ])
    ).rows;
    expect(listeners).toHaveLength(2);
    await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [listeners.map((l) => l.pid)]);
    await until(() => gaps === 1, 'the gap on B');
    a.send('change', timeline(9));
    await until(() => heardByB.some((e) => e.data.kind === 'timeline' && e.data.machineId === 9), 'an event after the gap');
  });
});
