import type { Clock } from '../../core/clock.js';
import { bucketRanges } from '../../core/calendar/index.js';
import { reasonGivenTimes, reasonKpis, type ShiftRange } from '../../core/andon/reason-kpis.js';
import type { ReasonKpiRow } from '../../core/schemas/reason-kpis.schema.js';
import { BUILT_IN_CODES } from '../../core/state/built-in-codes.js';
import type { ScopeMachine } from '../../db/repositories/export.repository.js';
import type { Repositories } from '../../db/repositories/index.js';

/**
 * The reason KPIs of the machines over [from, to) (docs/oee.md "Reason KPIs"), a row per machine and shift,
 * machines in the order given: reads the stops, the shift patterns and the thresholds, and hands them to
 * core/andon/reason-kpis.ts.
 */
export async function readReasonKpis(
  deps: { repos: Pick<Repositories, 'andon' | 'oeeData'>; clock: Clock },
  machines: ScopeMachine[],
  from: Date,
  to: Date,
): Promise<ReasonKpiRow[]> {
  if (machines.length === 0) return [];
  const { andon, oeeData } = deps.repos;
  const now = deps.clock.now();
  const [stops, context, minutes, noData] = await Promise.all([
    andon.kpiStops(
      machines.map((m) => m.id),
      from,
      to,
    ),
    oeeData.context(machines.length === 1 ? { machineId: machines[0]!.id } : {}),
    andon.reasonPromptMinutes(),
    andon.noDataCodeId(),
  ]);
  const patterns = new Map(context.machines.map((m) => [m.id, m.pattern]));
  const isGeneric = (id: number) => id === BUILT_IN_CODES.down || id === noData;
  const byMachine = groupBy(stops);
  // The corrections over any of the stops, read once; matched to the stops in core.
  const first = stops.reduce((a, s) => Math.min(a, s.start.getTime()), from.getTime());
  const last = stops.reduce((a, s) => Math.max(a, (s.end ?? now).getTime()), to.getTime());
  const corrections = groupBy(
    stops.length === 0
      ? []
      : await andon.correctionsOver(
          machines.map((m) => m.id),
          new Date(first),
          new Date(last),
        ),
  );
  return machines.flatMap((machine) => {
    const intervals = byMachine.get(machine.id) ?? [];
    const given = reasonGivenTimes(
      intervals,
      (corrections.get(machine.id) ?? []).map((c) => ({ ...c, seq: Number(c.id) })),
    );
    const own = intervals.map((s, i) => ({ ...s, reasonGivenAt: given[i] ?? null }));
    // The shifts over the whole span of the stops, so a stop reaching outside the window is measured whole.
    const spanFrom = new Date(own.reduce((a, s) => Math.min(a, s.start.getTime()), from.getTime()));
    const spanTo = new Date(own.reduce((a, s) => Math.max(a, (s.end ?? now).getTime()), to.getTime()));
    const pattern = patterns.get(machine.id) ?? null;
    const shifts: ShiftRange[] =
      pattern === null
        ? [{ from: spanFrom, to: spanTo, name: null }]
        : bucketRanges('shift', spanFrom, spanTo, context.timezone, pattern).map((r) => ({ from: r.from, to: r.to, name: r.name ?? null }));
    const rows = reasonKpis({
      from,
      to,
      now,
      stops: own,
      shifts,
      rules: { thresholdSeconds: (minutes.get(machine.id) ?? 5) * 60, microStopSeconds: context.microStopSeconds },
      isGeneric,
    });
    return rows.map((r) => ({ machineId: machine.id, machineName: machine.name, ...r }));
  });
}

function groupBy<R extends { machineId: number }>(rows: R[]): Map<number, R[]> {
  const out = new Map<number, R[]>();
  for (const r of rows) {
    if (!out.has(r.machineId)) out.set(r.machineId, []);
    out.get(r.machineId)!.push(r);
  }
  return out;
}
