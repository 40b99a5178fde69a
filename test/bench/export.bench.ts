import { ApiClient } from '../support/http-client.js';
import type { BenchPart } from './parts.js';

const ROWS = 1_000_000;
const FROM = '2024-01-01T00:00:00Z';
const TO = '2026-01-01T00:00:00Z';

interface Run {
  rows: number;
  bytes: number;
  seconds: number;
  rssPeakMb: number;
}

const mb = (bytes: number) => Math.round(bytes / 104_857.6) / 10;

/**
 * Streams one export through the app (in this process) and reads the body as a client would,
 * keeping only its size; RSS is sampled meanwhile. CSV rows are counted from its line feeds.
 */
async function exportOnce(url: string, cookie: string): Promise<Run> {
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  const started = performance.now();
  try {
    const res = await fetch(url, { headers: { cookie } });
    if (res.status !== 200) throw new Error(`export answered ${res.status}: ${await res.text()}`);
    const csv = url.includes('.csv');
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      if (csv) for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
    }
    const rows = csv ? lines - 1 : Number(res.headers.get('x-export-rows'));
    return { rows, bytes, seconds: (performance.now() - started) / 1000, rssPeakMb: mb(Math.max(peak, process.memoryUsage.rss())) };
  } finally {
    clearInterval(sampler);
  }
}

/** Issue 19 point 4: 1 000 000 intervals to xlsx within 300 MB RSS; CSV ≥ 100 000 rows/s. */
export const exportBench: BenchPart = {
  name: 'exports',
  async run({ app, adminPassword }) {
    const admin = await new ApiClient(app.url).signIn('admin', adminPassword);
    const machineId = (await admin.post('/api/v1/machines', { name: 'Bench export' })).body.id as number;
    // One minute each, alternating Up and Down; the last one is open. In slices: the pool's statement timeout.
    const SLICE = 100_000;
    for (let first = 0; first < ROWS; first += SLICE) {
      await app.dataSource.query(
        `INSERT INTO timeline_intervals ("machineId", start, "end", "activityCodeId")
         SELECT $1, $3::timestamptz + g * interval '1 minute',
                CASE WHEN g = $2 - 1 THEN NULL ELSE $3::timestamptz + (g + 1) * interval '1 minute' END,
                1 + g % 2
           FROM generate_series($4::int, $5::int) AS g`,
        [machineId, ROWS, FROM, first, Math.min(ROWS, first + SLICE) - 1],
      );
    }
    const path = (format: string) => `${app.url}/api/v1/export/timeline.${format}?from=${FROM}&to=${TO}&machineId=${machineId}`;
    const idle = mb(process.memoryUsage.rss());
    console.log(`${ROWS} intervals stored; process RSS before the exports ${idle} MB (app and bench in one process)`);

    const xlsx = await exportOnce(path('xlsx'), admin.cookie!);
    console.log(
      `xlsx, ${xlsx.rows} rows: ${xlsx.seconds.toFixed(1)} s, ${Math.round(xlsx.rows / xlsx.seconds)} rows/s, ${mb(xlsx.bytes)} MB; RSS peak ${xlsx.rssPeakMb} MB (goal ≤ 300 MB)`,
    );
    const csv = await exportOnce(path('csv'), admin.cookie!);
    console.log(
      `csv, ${csv.rows} rows: ${csv.seconds.toFixed(1)} s, ${Math.round(csv.rows / csv.seconds)} rows/s (goal ≥ 100000), ${mb(csv.bytes)} MB; RSS peak ${csv.rssPeakMb} MB`,
    );
    if (csv.rows !== ROWS || xlsx.rows !== ROWS) throw new Error(`expected ${ROWS} rows, got csv ${csv.rows}, xlsx ${xlsx.rows}`);
  },
};
