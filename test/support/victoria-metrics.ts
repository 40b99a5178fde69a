import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VICTORIA_METRICS } from './prerequisites.js';

/** Debian's victoria-metrics: a real server for InfluxDB line protocol (`/api/v2/write`). CI installs it (.ci/run). */
export const VICTORIA_METRICS_BIN = VICTORIA_METRICS.path;

/** One series of `/api/v1/export`: the name is `<measurement>_<field>`, the labels are the tags. */
export interface ExportedSeries {
  metric: Record<string, string>;
  values: number[];
  /** Unix ms. */
  timestamps: number[];
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A victoria-metrics process on a free loopback port with its data in a scratch directory. `stop()`
 * and `start()` again keep the port and the data, as an InfluxDB outage and recovery would.
 */
export class VictoriaMetrics {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private output = '';

  private constructor(
    readonly port: number,
    readonly dataDir: string,
  ) {}

  static async create(): Promise<VictoriaMetrics> {
    if (!existsSync(VICTORIA_METRICS_BIN)) {
      throw new Error(`${VICTORIA_METRICS_BIN} is missing: install it with \`apt-get install -y victoria-metrics\` (.ci/run does)`);
    }
    const vm = new VictoriaMetrics(await freePort(), await mkdtemp(join(tmpdir(), 'oee-victoria-')));
    await vm.start();
    return vm;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn(
      VICTORIA_METRICS_BIN,
      [
        `-httpListenAddr=127.0.0.1:${this.port}`,
        `-storageDataPath=${this.dataDir}`,
        // Keep every sample as written: a point delivered twice shows up twice in the export.
        '-dedup.minScrapeInterval=0s',
        '-retentionPeriod=100y',
        '-search.disableCache',
        '-loggerLevel=ERROR',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    child.stdout!.on('data', (d) => (this.output += d));
    child.stderr!.on('data', (d) => (this.output += d));
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        if (this.child === child) this.child = null;
        resolve();
      }),
    );
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (!this.child) throw new Error(`victoria-metrics exited on start:\n${this.output}`);
      const ok = await fetch(`${this.url}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`victoria-metrics did not answer /health within 20 s:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Graceful stop (SIGTERM flushes its buffers to disk), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(killer);
  }

  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  /** Raw samples of the matching series, duplicates included. */
  async export(match: string): Promise<ExportedSeries[]> {
    // Make what was accepted searchable now rather than within a second or so.
    await fetch(`${this.url}/internal/force_flush`);
    const res = await fetch(`${this.url}/api/v1/export?${new URLSearchParams({ 'match[]': match })}`);
    if (!res.ok) throw new Error(`export: ${res.status} ${await res.text()}`);
    const text = await res.text();
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as ExportedSeries);
  }
}
