import { PassThrough, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import { XLSX_NUMBER_FORMATS, type ExportColumn } from '../../core/export-columns.js';
import { zoneOffsetMinutes } from '../../core/calendar/local-time.js';
import { drained, type TableWriter, type Value } from './table-writer.js';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Rows added between two turns of the event loop (about 20 kB of sheet XML). exceljs writes the sheet
 * XML into the zip without heeding backpressure, and the zip pipeline moves one 64 kB chunk towards
 * deflate per turn: rows added faster than that pile up, uncompressed, in front of it (measured: 1 000
 * rows a turn left 75 MB waiting after 180 000 rows; 50 a turn, under 130 kB). So the writer gives the
 * loop a turn every ROWS_PER_STEP rows, and waits while the client is slow (our PassThrough's drain).
 */
const ROWS_PER_STEP = 50;

const DAY_SECONDS = 86_400;
const DAY_MS = DAY_SECONDS * 1000;
/** Excel's serial day of 1970-01-01 (day 0 is 1899-12-30). */
const EXCEL_EPOCH_DAYS = 25_569;

/**
 * A one-sheet workbook through exceljs's streaming WorkbookWriter: each row is committed (serialised
 * and dropped) as soon as it is added, and the zip streams into a PassThrough of ours piped into
 * `out`, whose backpressure paces the rows. Cells are typed by column kind: times are date cells
 * showing the site's wall clock (Excel has no time zones), durations are days under `[h]:mm:ss`,
 * ratios under `0.0%`, counts under `#,##0`. The header row is bold, frozen and carries an autofilter.
 */
export function createXlsxWriter(out: Writable, sheetName: string, columns: ExportColumn[], timezone: string): TableWriter {
  const zip = new PassThrough();
  zip.pipe(out);
  out.once('close', () => zip.unpipe(out));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: zip,
    useStyles: true,
    useSharedStrings: false,
    // Level 1 deflates several times faster for a file a few percent larger: the export's rate is the zip's.
    zip: { zlib: { level: 1 } },
  });
  // One style object per column, for the column and every cell in it. exceljs remembers the style
  // id of a style object it has seen; the copy each new cell gets of its column's style is one it has
  // not, which costs a serialised style and a WeakMap entry per cell (docs/exports.md, "Memory and speed").
  const styles = columns.map((c) => {
    const numFmt = XLSX_NUMBER_FORMATS[c.kind];
    return numFmt ? { numFmt } : {};
  });
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c, i) => ({ width: c.width, style: styles[i]! }));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  const header = sheet.addRow(columns.map((c) => c.header));
  header.font = { bold: true };
  header.commit();

  const offset = zoneOffsetMinutes(timezone);
  const kinds = columns.map((c) => c.kind);
  /**
   * A value as its cell. Times are Excel serial days under their date format, the very cell exceljs
   * writes for a Date, without a Date object per cell; they show the site's wall clock (Excel has no
   * time zones), so the instant is shifted by the zone's offset then. An empty value is no cell at
   * all (exceljs skips `undefined`): an empty cell costs as much as a full one.
   */
  const cell = (i: number, value: Value): ExcelJS.CellValue | undefined => {
    if (value === null) return undefined;
    if (value instanceof Date) {
      const ms = value.getTime();
      return EXCEL_EPOCH_DAYS + (ms + offset(ms) * 60_000) / DAY_MS;
    }
    const kind = kinds[i];
    if (kind === 'date') return EXCEL_EPOCH_DAYS + Date.parse(`${value}T00:00:00Z`) / DAY_MS;
    if (kind === 'duration' && typeof value === 'number') return value / DAY_SECONDS;
    return value;
  };
  const addRow = (values: readonly Value[]) => {
    const row = sheet.addRow(values.map((v, i) => cell(i, v)));
    row.eachCell((c, n) => (c.style = styles[n - 1]!));
    row.commit();
  };

  return {
    // A batch is written over many turns of the loop (ROWS_PER_STEP): one read ahead would wait through them.
    readAhead: false,
    async write(rows, values) {
      for (let start = 0; start < rows.length; start += ROWS_PER_STEP) {
        const end = Math.min(rows.length, start + ROWS_PER_STEP);
        for (let r = start; r < end; r++) addRow(values(rows[r]!));
        await nextTurn();
        await drained(zip);
        if (out.destroyed) return;
      }
    },
    async end() {
      if (out.destroyed) return;
      sheet.commit();
      // A client that leaves meanwhile closes `out`: the zip, unpiped, would never finish.
      await Promise.race([workbook.commit(), new Promise((resolve) => out.once('close', resolve))]);
      await finished(out).catch(() => undefined);
    },
  };
}
