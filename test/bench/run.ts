/**
 * `npm run bench [-- parts…] [--quick] [--json <file>] [--compare <rev>]`: measures the budgets of
 * docs/architecture.md#budgets (issue 19) against the app run as a child process on loopback, and prints
 * each figure beside its goal. With --compare, a second checkout (a temporary git worktree of <rev>)
 * runs beside it and every case alternates between the two, 3 rounds each. Timings never go into the test suite.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { exportBench } from './export.bench.js';
import { fanoutBench } from './fanout.bench.js';
import { ingestBench } from './ingest.bench.js';
import { mqttBench } from './mqtt.bench.js';
import { startAedes } from '../support/mqtt-broker.js';
import { oeeBench } from './oee.bench.js';
import { goal, type BenchOptions, type BenchPart } from './parts.js';
import { Report } from './report.js';
import { settle, startTarget, type Memory, type Target } from './target.js';

/** The parts, in order. */
const benchParts: BenchPart[] = [ingestBench, mqttBench, oeeBench, fanoutBench, exportBench];
const ROUNDS = 3;

function parseArgs(argv: string[]) {
  const parts: string[] = [];
  let quick = false;
  let json: string | undefined;
  let compare: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') quick = true;
    else if (arg === '--json') json = argv[++i];
    else if (arg === '--compare') compare = argv[++i];
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else parts.push(arg);
  }
  if (argv.includes('--json') && !json) throw new Error('--json needs a file');
  if (argv.includes('--compare') && !compare) throw new Error('--compare needs a git revision');
  const unknown = parts.filter((p) => !benchParts.some((b) => b.name === p));
  if (unknown.length) throw new Error(`unknown part ${unknown.join(', ')}: the parts are ${benchParts.map((p) => p.name).join(', ')}`);
  return { parts, quick, json, compare };
}

const root = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();

/** A detached worktree of `rev` in the temp folder, sharing this checkout's node_modules. */
async function checkout(rev: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'oee-bench-base-'));
  await rm(dir, { recursive: true });
  git('worktree', 'add', '--detach', dir, rev);
  await symlink(await realpath(join(root, 'node_modules')), join(dir, 'node_modules'));
  return {
    dir,
    remove: async () => {
      git('worktree', 'remove', '--force', dir);
    },
  };
}

const firstLine = (err: unknown) =>
  String(err instanceof Error ? err.message : err)
    .split('\n')[0]!
    .slice(0, 300);

let args: ReturnType<typeof parseArgs>;
try {
  args = parseArgs(process.argv.slice(2));
} catch (err) {
  console.error(
    `${firstLine(err)}\nusage: npm run bench -- [${benchParts.map((p) => p.name).join(' ')}] [--quick] [--json <file>] [--compare <rev>]`,
  );
  process.exit(2);
}
const { parts, quick, json, compare } = args;
const options: BenchOptions = { quick, seconds: quick ? 3 : 15 };
const headRev = git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--untracked-files=no') ? '+changes' : '');
// The base side's label is the rev as given, or its commit when that reads HEAD too (the working tree against its last commit).
const baseLabel = compare === undefined ? undefined : compare === 'HEAD' ? git('rev-parse', '--short', 'HEAD') : compare;
const labels = baseLabel ? ['HEAD', baseLabel] : ['HEAD'];
const report = new Report(labels);
const targets: Target[] = [];
const cleanups: (() => Promise<void>)[] = [];
const fresh = new Map<string, Memory>();
let cleaning: Promise<void> | null = null;
const cleanUp = () =>
  (cleaning ??= (async () => {
    for (const target of targets) await target.stop().catch((err) => console.error(`stopping ${target.label}:`, err));
    for (const fn of cleanups) await fn().catch((err) => console.error('clean-up:', err));
  })());
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().then(() => process.exit(130)));

const started = new Date();
try {
  console.log(
    `npm run bench${quick ? ' --quick' : ''}: HEAD = ${headRev}${compare ? `, base = ${compare} (${git('rev-parse', '--short', compare)})` : ''}; ` +
      `loads of ${options.seconds} s; server = \`node --import tsx main.ts\` child process, its own PostgreSQL`,
  );
  const roots: [string, string][] = [['HEAD', root]];
  if (compare) {
    const base = await checkout(compare);
    cleanups.push(base.remove);
    roots.push([baseLabel!, base.dir]);
  }
  for (const [label, dir] of roots) {
    const t0 = performance.now();
    // The mqtt part's broker: aedes in this process, one per side, started before the server that subscribes to it.
    const broker = !parts.length || parts.includes(mqttBench.name) ? await startAedes() : null;
    if (broker) cleanups.push(() => broker.stop());
    const target = await startTarget(label, dir, broker);
    targets.push(target);
    await sleep(1000);
    fresh.set(label, await target.memory());
    console.log(
      `[${label}] ${dir}: up in ${Math.round(performance.now() - t0)} ms (PostgreSQL, migrations, seed), pid ${target.pid}, fresh RSS ${fresh.get(label)!.rssMb} MB` +
        (target.pages ? '' : ' (web/build missing: API only)'),
    );
  }

  for (const part of benchParts) {
    if (parts.length && !parts.includes(part.name)) continue;
    console.log(`\n## ${part.name}`);
    // A side whose setup or case fails (an older commit without a route the bench needs) is said so and left out.
    const states = new Map<Target, unknown>();
    for (const target of targets) {
      try {
        states.set(target, await part.setup(target, options));
      } catch (err) {
        console.log(`  [${target.label}] ${part.name}: setup failed, its cases are left out: ${firstLine(err)}`);
      }
    }
    for (const c of part.cases) {
      const rounds = compare && !c.once ? ROUNDS : 1;
      for (let round = 0; round < rounds; round++)
        for (const target of targets) {
          if (!states.has(target)) continue;
          try {
            report.add(part.name, c.name, c.shape(options), target.label, await c.run(target, states.get(target), options, round));
          } catch (err) {
            console.log(`  [${target.label}] ${c.name}, round ${round + 1}: failed: ${firstLine(err)}`);
          }
        }
      report.printCase(part.name, c.name);
    }
  }

  // Idle memory after the runs against the fresh start (issue 19: within 20 %): 10 s after the last
  // request, and once the server has settled (its background work done, settle() in target.ts).
  await sleep(10_000);
  const early = new Map<string, Memory>();
  for (const target of targets) early.set(target.label, await target.memory());
  const settledAfter = new Map<string, number>();
  for (const target of targets) settledAfter.set(target.label, await settle(target, 240));
  for (const target of targets) {
    const after = await target.memory();
    const before = fresh.get(target.label)!;
    report.add(
      'memory',
      'server RSS idle after the runs',
      'VmRSS/VmHWM of the server process (its PostgreSQL is a separate process, not counted); idle/fresh once settled',
      target.label,
      [
        { metric: 'idle/fresh', value: Math.round((after.rssMb / before.rssMb) * 100) / 100, unit: '×', goal: goal.atMost(1.2) },
        { metric: 'fresh RSS', value: before.rssMb, unit: 'MB' },
        { metric: 'RSS 10 s after the runs', value: early.get(target.label)!.rssMb, unit: 'MB' },
        { metric: 'settled after', value: settledAfter.get(target.label)!, unit: 's' },
        { metric: 'idle RSS, settled', value: after.rssMb, unit: 'MB' },
        { metric: 'peak (VmHWM)', value: after.hwmMb, unit: 'MB' },
      ],
    );
  }
  report.printCase('memory', 'server RSS idle after the runs');
  report.printSummary();

  const file = resolve(json ?? join(root, 'bench-results', `${started.toISOString().replace(/[:.]/g, '-')}.json`));
  await report.writeJson(file, {
    startedAt: started.toISOString(),
    quick,
    seconds: options.seconds,
    head: headRev,
    base: compare ?? null,
    parts: parts.length ? parts : benchParts.map((p) => p.name),
  });
  console.log(`\nfigures written to ${file}`);
} finally {
  await cleanUp();
}
