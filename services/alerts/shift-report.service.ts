import { PassThrough } from 'node:stream';
import { retryDelayMs, MAX_DELIVERY_ATTEMPTS } from '../../core/alerts/index.js';
import { plannedShifts } from '../../core/calendar/index.js';
import { localTimeFormatter } from '../../core/calendar/local-time.js';
import type { Clock } from '../../core/clock.js';
import { exportQuerySchema } from '../../core/schemas/export.schema.js';
import type { DueReport, ReportOutcome, ShiftReportRepository } from '../../db/repositories/shift-report.repository.js';
import type { SiteRepository } from '../../db/repositories/site.repository.js';
import type { ExportService } from '../exports/export.service.js';
import type { OeeService } from '../oee/oee.service.js';
import type { MailMessage, Mailer } from './mailer.js';
import { debtLines, debtRows, withDebtSheet, type ReasonDebtSource } from './shift-report-debt.js';

export type { ReasonDebtSource } from './shift-report-debt.js';

/** Shift ends further back than this are not reported (a long outage, a new subscription). */
const LOOKBACK_MS = 48 * 3_600_000;
const TOP_LOSSES = 5;

const percent = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
const duration = (seconds: number) => {
  const minutes = Math.round(seconds / 60);
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
};

/**
 * The shift report (docs/alerts.md "Shift reports"): at each shift end of a group's machines, one e-mail
 * to the group's subscribers with each machine's OEE, the top losses, the open reason debt and the
 * `oee` export as xlsx. Planning inserts (group, shift start) once; sending claims the row, so two
 * instances and restarts send one report; a run after downtime plans the shifts it missed.
 */
export class ShiftReportService {
  constructor(
    private readonly deps: {
      reports: ShiftReportRepository;
      site: Pick<SiteRepository, 'get'>;
      oee: Pick<OeeService, 'groupOee'>;
      exports: Pick<ExportService, 'export'>;
      mailer: Mailer | null;
      clock: Clock;
      /** The reason queue of a group; without it (scripts) the report says the debt is not available. */
      reasonDebt?: ReasonDebtSource;
    },
  ) {}

  /** Plans and sends what is due; off without SMTP. */
  async run(): Promise<{ planned: number; sent: number }> {
    if (!this.deps.mailer) return { planned: 0, sent: 0 };
    const planned = await this.planDue();
    return { planned, sent: await this.sendDue() };
  }

  /** Plans a report for every shift of every subscribed group that ended since it was subscribed (48 h at most). */
  async planDue(): Promise<number> {
    const now = this.deps.clock.now();
    const { timezone } = await this.deps.site.get();
    let planned = 0;
    for (const group of await this.deps.reports.reportGroups()) {
      const from = new Date(Math.max(group.subscribedSince.getTime(), now.getTime() - LOOKBACK_MS));
      // Shifts of any of the group's patterns; shifts starting together make one report (the longest).
      const byStart = new Map<number, { start: Date; end: Date; name: string | null }>();
      for (const machine of group.machines) {
        if (!machine.pattern) continue;
        for (const shift of plannedShifts(machine.pattern, timezone, from, now)) {
          if (shift.end.getTime() <= from.getTime() || shift.end.getTime() > now.getTime()) continue;
          const known = byStart.get(shift.start.getTime());
          if (!known || known.end < shift.end)
            byStart.set(shift.start.getTime(), { start: shift.start, end: shift.end, name: shift.name ?? null });
        }
      }
      for (const shift of [...byStart.values()].sort((a, b) => a.start.getTime() - b.start.getTime())) {
        if (await this.deps.reports.plan(group.groupId, shift.start, shift.end, shift.name, now)) planned++;
      }
    }
    return planned;
  }

  /** Sends the due reports, one claimed row at a time; the number sent. */
  async sendDue(): Promise<number> {
    let sent = 0;
    for (let i = 0; i < 20; i++) {
      let ok = false;
      const claimed = await this.deps.reports.withDueReport(this.deps.clock.now(), async (row) => {
        const outcome = await this.attempt(row);
        ok = outcome.status === 'sent';
        return outcome;
      });
      if (!claimed) break;
      if (ok) sent++;
    }
    return sent;
  }

  private async attempt(row: DueReport): Promise<ReportOutcome> {
    const recipients = await this.deps.reports.subscribers(row.groupId);
    try {
      if (recipients.length === 0)
        return {
          status: 'sent',
          attemptedAt: this.deps.clock.now(),
          nextAttemptAt: this.deps.clock.now(),
          error: 'no subscribers',
          recipients,
        };
      const message = await this.compose(row, recipients);
      await this.deps.mailer!.send(message);
      const at = this.deps.clock.now();
      return { status: 'sent', attemptedAt: at, nextAttemptAt: at, error: null, recipients };
    } catch (err) {
      const at = this.deps.clock.now();
      const attempts = row.attempts + 1;
      const giveUp = attempts >= MAX_DELIVERY_ATTEMPTS;
      return {
        status: giveUp ? 'failed' : 'pending',
        attemptedAt: at,
        nextAttemptAt: new Date(at.getTime() + retryDelayMs(attempts)),
        error: (err as Error).message ?? String(err),
        recipients,
      };
    }
  }

  /** The e-mail of one report: text body and the shift's `oee` export as xlsx. */
  async compose(row: DueReport, recipients: string[]): Promise<MailMessage> {
    const start = new Date(row.shiftStart);
    const end = new Date(row.shiftEnd);
    const { timezone } = await this.deps.site.get();
    const local = localTimeFormatter(timezone);
    const at = (d: Date) => local(d).slice(0, 16).replace('T', ' ');
    const [result, groups, codeNames] = await Promise.all([
      this.deps.oee.groupOee(row.groupId, start, end),
      this.deps.reports.reportGroups(),
      this.deps.reports.activityCodeNames(),
    ]);
    const group = groups.find((g) => g.groupId === row.groupId);
    const machineName = new Map(group?.machines.map((m) => [m.id, m.name]) ?? []);
    const title = `${group?.name ?? `Group ${row.groupId}`}${row.shiftName ? `, ${row.shiftName}` : ''}: ${at(start)} – ${at(end)}`;
    const lines = [`Shift report ${title}`, '', `Group OEE ${percent(result.oee)}`, '', 'OEE per machine:'];
    for (const m of result.machines) {
      lines.push(
        `  ${machineName.get(m.machineId) ?? `Machine ${m.machineId}`}: OEE ${percent(m.oee)} (availability ${percent(m.availability)}, ` +
          `performance ${percent(m.performance)}, quality ${percent(m.quality)}), good ${m.goodCount}, reject ${m.rejectCount}`,
      );
    }
    lines.push('', 'Top losses:');
    const losses = result.losses.slice(0, TOP_LOSSES);
    if (losses.length === 0) lines.push('  none');
    for (const loss of losses) {
      lines.push(
        `  ${codeNames.get(loss.activityCodeId) ?? `Code ${loss.activityCodeId}`}: ${duration(loss.seconds)}, ${loss.occurrences} stop(s)`,
      );
    }
    lines.push('');
    const debt = this.deps.reasonDebt ? debtRows(await this.deps.reasonDebt(row.groupId), at, codeNames) : null;
    lines.push(...(debt ? debtLines(debt) : ['Open reason debt: not available']));
    const exported = await this.xlsx(row.groupId, start, end);
    const xlsx = debt ? { ...exported, content: await withDebtSheet(exported.content, debt) } : exported;
    return {
      to: recipients,
      subject: `[OEE shift report] ${title}`,
      text: lines.join('\n') + '\n',
      attachments: [{ filename: xlsx.fileName, content: xlsx.content, contentType: xlsx.contentType }],
    };
  }

  /** The `oee` export of the group over the shift, bucketed by shift, written to memory. */
  private async xlsx(groupId: number, from: Date, to: Date): Promise<{ fileName: string; contentType: string; content: Buffer }> {
    const query = exportQuerySchema.parse({ from: from.toISOString(), to: to.toISOString(), groupId, bucket: 'shift' });
    const chunks: Buffer[] = [];
    let described = { fileName: 'shift-report.xlsx', contentType: 'application/octet-stream' };
    await this.deps.exports.export('oee', 'xlsx', query, 'shift-report', (file) => {
      described = { fileName: file.fileName, contentType: file.contentType };
      const out = new PassThrough();
      out.on('data', (chunk: Buffer) => chunks.push(chunk));
      return out;
    });
    return { ...described, content: Buffer.concat(chunks) };
  }
}
