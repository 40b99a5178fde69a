import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { drained, type Cell, type TableWriter } from './table-writer.js';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface XlsxColumn {
  header: string;
  /** Width in characters. */
  width: number;
}

/**
 * A one-sheet workbook through exceljs's streaming writer: each row is committed (serialised and
 * dropped) as soon as it is added, and the zip streams into `out`. Numbers stay numbers; text (and
 * times, already formatted with their offset) stays text. The header row is frozen.
 */
export function createXlsxWriter(out: Writable, sheetName: string, columns: XlsxColumn[]): TableWriter {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({ width: c.width }));
  sheet.addRow(columns.map((c) => c.header)).commit();
  return {
    async write(rows) {
      for (const row of rows) sheet.addRow(row).commit();
      await drained(out, () => sheetBacklog(sheet));
    },
    async end() {
      if (out.destroyed) return;
      sheet.commit();
      // Settles when `out` finishes; a client that leaves meanwhile closes it without a finish.
      await Promise.race([workbook.commit(), new Promise((resolve) => out.once('close', resolve))]);
    },
  };
}

/**
 * Bytes of sheet XML waiting to be compressed. exceljs feeds each sheet into the zip through its own
 * buffer (lib/utils/stream-buf.js), which writes on without heeding backpressure: rows added while
 * the client is slow would pile up in the stream it writes to (archiver's pass-through in front of
 * the entry's deflate stream) instead of pausing the writer. That stream is the buffer's one pipe;
 * before the zip reaches the entry, the buffer holds the data itself (in 64 kB chunks). Read
 * defensively: these are exceljs and archiver internals.
 */
function sheetBacklog(sheet: ExcelJS.Worksheet): number {
  type Side = { length?: number } | undefined;
  type Pipe = { _writableState?: Side; _readableState?: Side };
  const buffer = (sheet as unknown as { stream?: { pipes?: Pipe[]; buffers?: unknown[] } }).stream;
  if (!buffer) return 0;
  const pipe = buffer.pipes?.[0];
  if (pipe) return (pipe._writableState?.length ?? 0) + (pipe._readableState?.length ?? 0);
  return (buffer.buffers?.length ?? 0) * 65_536;
}
