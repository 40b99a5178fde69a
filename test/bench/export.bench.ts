import { ApiClient } from '../support/http-client.js';
import { goal, withPeakRss, type BenchOptions, type BenchPart } from './parts.js';
import { settle, type Target } from './target.js';

const FROM = '2024-01-01T00:00:00Z';
const TO = '2026-01-01T00:00:00Z';
const rows = (o: BenchOptions) => (o.quick ? 100_000 : 1_000_000);

interface ExportState {
  machineId: number;
  cookie: string;
  rows: number;
}

/**
 * Streams one export from the server and reads the body as a client would, keeping only its size;
 * the server's RSS (its process only, from /proc) is sampled meanwhile. CSV rows are counted from its line feeds.
 */
async function exportOnce(t: Target, s: ExportState, format: 'csv' | 'xlsx') {
  const url = `${t.url}/api/v1/export/timeline.${format}?from=${FROM}&to=${TO}&machineId=${s.machineId}`;
  const before = (await t.memory()).rssMb;
  const started = performance.now();
  const { value, peakMb } = await withPeakRss(t, async () => {
    const res = await fetch(url, { headers: { cookie: s.cookie } });
    if (res.status !== 200) throw new Error(`export answered ${res.status}: ${await res.text()}`);
    let lines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (format === 'csv') for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
    }
    return format === 'csv' ? lines - 1 : Number(res.headers.get('x-export-rows'));
  });
  const seconds = (performance.now() - started) / 1000;
  if (value !== s.rows) throw new Error(`${format} export: expected ${s.rows} rows, got ${value}`);
  return { rowsPerSecond: Math.round(value / seconds), seconds, peakMb, before };
}

/** Issue 19 point 4: 1 000 000 intervals (100 000 with --quick) to xlsx within 300 MB RSS; CSV ≥ 100 000 rows/s. */
export const exportBench: BenchPart<ExportState> = {
  name: 'exports',
  async setup(t, o) {
    const admin = await new ApiClient(t.url).signIn('admin', t.adminPassword);
    const machineId = (await admin.post('/api/v1/machines', { name: 'Bench export' })).body.id as number;
    const n = rows(o);
    // By SQL: one minute each, alternating Up and Down; the last one is open. In slices: the pool's statement timeout.
    for (let first = 0; first < n; first += 100_000) {
      await t.sql.query(
        `INSERT INTO timeline_intervals ("machineId", start, "end", "activityCodeId")
         SELECT $1, $3::timestamptz + g * interval '1 minute',
                CASE WHEN g = $2 - 1 THEN NULL ELSE $3::timestamptz + (g + 1) * interval '1 minute' END,
                1 + g % 2
           FROM generate_series($4::int, $5::int) AS g`,
        [machineId, n, FROM, first, Math.min(n, first + 100_000) - 1],
      );
    }
    await t.sql.query('ANALYZE timeline_intervals');
    // The parts before leave the server storing roll-ups and holding garbage for a while: exports start on a settled server.
    await settle(t, 240);
    return { machineId, cookie: admin.cookie!, rows: n };
  },
  cases: [
    {
      name: 'export timeline .xlsx',
      shape: (o) => `${rows(o)} intervals of one machine, read by a streaming client (the server has run the parts before it, and settled)`,
      async run(t, s) {
        const r = await exportOnce(t, s, 'xlsx');
        return [
          { metric: 'server RSS peak', value: r.peakMb, unit: 'MB', goal: goal.atMost(300) },
          { metric: 'server RSS before', value: r.before, unit: 'MB' },
          { metric: 'RSS rise during', value: Math.round((r.peakMb - r.before) * 10) / 10, unit: 'MB' },
          { metric: 'rows/s', value: r.rowsPerSecond, unit: '/s' },
          { metric: 'time', value: r.seconds, unit: 's' },
        ];
      },
    },
    {
      name: 'export timeline .csv',
      shape: (o) => `the same ${rows(o)} intervals`,
      async run(t, s) {
        const r = await exportOnce(t, s, 'csv');
        return [
          { metric: 'rows/s', value: r.rowsPerSecond, unit: '/s', goal: goal.atLeast(100_000) },
          { metric: 'server RSS peak', value: r.peakMb, unit: 'MB' },
        ];
      },
    },
  ],
};
