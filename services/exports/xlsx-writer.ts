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
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => {
    const numFmt = XLSX_NUMBER_FORMATS[c.kind];
    return { width: c.width, style: numFmt ? { numFmt } : {} };
  });
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  const header = sheet.addRow(columns.map((c) => c.header));
  header.font = { bold: true };
  header.commit();

  const offset = zoneOffsetMinutes(timezone);
  const kinds = columns.map((c) => c.kind);
  const cell = (i: number, value: Value): ExcelJS.CellValue => {
    if (value === null) return null;
    // exceljs writes a Date as its UTC fields: shifted by the offset, those are the site's wall clock.
    if (value instanceof Date) return new Date(value.getTime() + offset(value.getTime()) * 60_000);
    const kind = kinds[i];
    if (kind === 'date') return new Date(`${value}T00:00:00Z`);
    if (kind === 'duration' && typeof value === 'number') return value / DAY_SECONDS;
    return value;
  };

  return {
    async write(rows) {
      for (let start = 0; start < rows.length; start += ROWS_PER_STEP) {
        const end = Math.min(rows.length, start + ROWS_PER_STEP);
        for (let r = start; r < end; r++) sheet.addRow(rows[r]!.map((v, i) => cell(i, v))).commit();
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
