import type { DataSource } from 'typeorm';

const TABLES = [
  'state_events',
  'timeline_intervals',
  'jobs',
  'production_records',
  'influx_outbox',
  'machines',
  'activity_codes',
  'groups',
  'shift_patterns',
  'users',
  'tablets',
  'api_keys',
  'kiosk_tokens',
  'site_settings',
];

/**
 * Columns written in the background, not by the request under test: a machine's last contact (flushed every
 * few seconds, docs/oee.md "No data"; a refused request is a contact too, but stores no history).
 */
const BACKGROUND_COLUMNS = ['lastContactAt', 'contactResumedAt'];

/** A fingerprint of every stored row of the data tables: equal fingerprints = nothing changed. */
export async function snapshot(dataSource: DataSource): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of TABLES) {
    const [row] = await dataSource.query(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(r, '|' ORDER BY r), '')) AS h
         FROM (SELECT (to_jsonb(t) - $1::text[])::text AS r FROM "${table}" t) rows`,
      [BACKGROUND_COLUMNS],
    );
    out[table] = `${row.n}:${row.h}`;
  }
  return out;
}

/** Checks that every machine's intervals tile time: sorted, no gap, no overlap, one open at the end. */
export async function assertTiles(dataSource: DataSource, machineId: number): Promise<{ count: number }> {
  const rows: { start: Date; end: Date | null }[] = await dataSource.query(
    `SELECT start, "end" FROM timeline_intervals WHERE "machineId" = $1 ORDER BY start`,
    [machineId],
  );
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const next = rows[i + 1];
    if (next) {
      if (!r.end || r.end.getTime() !== next.start.getTime())
        throw new Error(`machine ${machineId}: interval ${i} ends ${r.end?.toISOString()} but the next starts ${next.start.toISOString()}`);
    } else if (r.end !== null) {
      throw new Error(`machine ${machineId}: the last interval is not open`);
    }
  }
  return { count: rows.length };
}
