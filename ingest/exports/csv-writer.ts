import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { spreadsheetSafeText } from '../../core/text/spreadsheet-text.js';
import { drained, type Cell, type TableWriter } from './table-writer.js';

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8; header=present';

const NEEDS_QUOTES = /[",\r\n]/;

/** One field of RFC 4180: numbers as they are, text guarded against formulas and quoted when it must be. */
export function csvField(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  const text = spreadsheetSafeText(cell);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record of RFC 4180, CRLF-terminated. */
export function csvLine(cells: Cell[]): string {
  return cells.map(csvField).join(',') + '\r\n';
}

/** CSV as UTF-8 text, a batch of rows per write. */
export function createCsvWriter(out: Writable, header: string[]): TableWriter {
  out.write(csvLine(header));
  return {
    async write(rows) {
      let chunk = '';
      for (const row of rows) chunk += csvLine(row);
      out.write(chunk);
      await drained(out);
    },
    async end() {
      if (out.destroyed) return;
      out.end();
      await finished(out).catch(() => undefined);
    },
  };
}
