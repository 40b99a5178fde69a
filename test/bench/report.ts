import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { median, met, type Goal, type Measure } from './parts.js';

/** Every figure of a run: one row per case and metric, each side's values (one per round). */
export interface Row {
  part: string;
  case: string;
  shape: string;
  metric: string;
  unit: string;
  goal?: Goal;
  values: Record<string, number[]>;
}

export class Report {
  readonly rows: Row[] = [];
  constructor(readonly labels: string[]) {}

  add(part: string, name: string, shape: string, label: string, measures: Measure[]): void {
    for (const m of measures) {
      let row = this.rows.find((r) => r.part === part && r.case === name && r.metric === m.metric);
      if (!row) {
        row = { part, case: name, shape, metric: m.metric, unit: m.unit, ...(m.goal ? { goal: m.goal } : {}), values: {} };
        this.rows.push(row);
      }
      (row.values[label] ??= []).push(m.value);
    }
  }

  /** The rows of one case, as a small table (printed as each case finishes). */
  printCase(part: string, name: string): void {
    const rows = this.rows.filter((r) => r.part === part && r.case === name);
    if (rows.length === 0) return;
    console.log(`\n${name}\n  shape: ${rows[0]!.shape}`);
    printTable(this.labels, rows, false);
  }

  printSummary(): void {
    console.log(`\n## summary${this.labels.length > 1 ? ` (medians of the rounds; ratio ${this.labels[0]}/${this.labels[1]})` : ''}`);
    printTable(this.labels, this.rows, true);
  }

  async writeJson(file: string, meta: Record<string, unknown>): Promise<void> {
    await mkdir(dirname(file), { recursive: true });
    const rows = this.rows.map((r) => ({
      ...r,
      median: Object.fromEntries(Object.entries(r.values).map(([label, v]) => [label, median(v)])),
      met: r.goal ? Object.fromEntries(Object.entries(r.values).map(([label, v]) => [label, met(median(v), r.goal!)])) : undefined,
    }));
    await writeFile(file, JSON.stringify({ ...meta, sides: this.labels, figures: rows }, null, 2) + '\n');
  }
}

export function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (Number.isInteger(value) && abs < 1000) return String(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-GB');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

const goalText = (g?: Goal) => (g ? `${g.op === '>=' ? '≥' : '≤'} ${format(g.value)}` : '');
const mark = (value: number, g?: Goal) => (!g || !Number.isFinite(value) ? '' : met(value, g) ? '✓ met' : '✗ MISSED');

function printTable(labels: string[], rows: Row[], withCase: boolean): void {
  const header = [...(withCase ? ['case'] : []), 'figure'];
  const lines: string[][] = [];
  if (labels.length === 1) {
    header.push('value', 'goal', '');
    for (const r of rows) {
      const v = median(r.values[labels[0]!] ?? []);
      lines.push([...(withCase ? [r.case] : []), r.metric, `${format(v)} ${r.unit}`.trim(), goalText(r.goal), mark(v, r.goal)]);
    }
  } else {
    const [a, b] = labels as [string, string];
    header.push(a, b, `${a}/${b}`, 'goal', a, b);
    for (const r of rows) {
      const va = median(r.values[a] ?? []);
      const vb = median(r.values[b] ?? []);
      lines.push([
        ...(withCase ? [r.case] : []),
        r.metric,
        `${format(va)} ${r.unit}`.trim(),
        `${format(vb)} ${r.unit}`.trim(),
        vb ? (va / vb).toFixed(2) : '',
        goalText(r.goal),
        mark(va, r.goal),
        mark(vb, r.goal),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const print = (cells: string[]) =>
    console.log(
      '  ' +
        cells
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
    );
  print(header);
  for (const l of lines) print(l);
}
