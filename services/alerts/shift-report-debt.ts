import ExcelJS from 'exceljs';

/** One open reason debt as the shift report shows it (services/andon/reason-queue.ts). */
export interface ReportDebt {
  machineName: string;
  /** ISO start and end of the stop that owes a reason. */
  start: string;
  end: string;
  activityCodeId: number;
  plannedSeconds: number;
}

/** The open reason debt of a group when the report is written: the reason queue of its machines. */
export type ReasonDebtSource = (groupId: number) => Promise<ReportDebt[]>;

/** A debt's fields as the e-mail and the sheet show them (times on the site's wall clock). */
interface DebtRow {
  machine: string;
  start: string;
  end: string;
  plannedMinutes: number;
  code: string;
}

const SHEET = 'Reason debt';

export function debtRows(debts: ReportDebt[], localTime: (d: Date) => string, codeNames: Map<number, string>): DebtRow[] {
  return debts.map((d) => ({
    machine: d.machineName,
    start: localTime(new Date(d.start)),
    end: localTime(new Date(d.end)),
    plannedMinutes: Math.round(d.plannedSeconds / 6) / 10,
    code: codeNames.get(d.activityCodeId) ?? `Code ${d.activityCodeId}`,
  }));
}

/** The e-mail's section: a count, then one line per stop (newest first, as the queue lists them). */
export function debtLines(rows: DebtRow[]): string[] {
  if (rows.length === 0) return ['Open reason debt: none'];
  return [
    `Open reason debt: ${rows.length} stop(s) without a reason`,
    ...rows.map((r) => `  ${r.machine}: ${r.start} – ${r.end}, ${r.plannedMinutes} min planned, ${r.code}`),
  ];
}

/** The export's workbook with a second sheet listing the debt (the same rows as the e-mail). */
export async function withDebtSheet(xlsx: Buffer, rows: DebtRow[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsx as unknown as ArrayBuffer);
  const sheet = workbook.addWorksheet(SHEET);
  sheet.columns = [
    { header: 'Machine', key: 'machine', width: 24 },
    { header: 'Stop start', key: 'start', width: 18 },
    { header: 'Stop end', key: 'end', width: 18 },
    { header: 'Planned (min)', key: 'plannedMinutes', width: 14 },
    { header: 'Code', key: 'code', width: 18 },
  ];
  sheet.getRow(1).font = { bold: true };
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
