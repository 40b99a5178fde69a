import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ExportColumn } from '../../core/export-columns.js';
import type { CsvSeparator } from '../../core/schemas/export.schema.js';
import { spreadsheetSafeText } from '../../core/text/spreadsheet-text.js';
import { localTimeFormatter } from '../../core/calendar/local-time.js';
import { drained, type TableWriter, type Value } from './table-writer.js';

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8; header=present';

/** Makes spreadsheets read the file as UTF-8 (Excel guesses a legacy code page without it). */
export const UTF8_BOM = '\ufeff';

type Cell = string | number | null;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field of RFC 4180: numbers as they are, text guarded against formulas and quoted when it must be. */
export function csvField(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  const text = spreadsheetSafeText(cell);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A field with `;` between fields and a decimal comma. csvField guards and quotes the text; a text
 * it left unquoted holds no `"`, so quoting it for a `;` needs no escaping.
 */
function semicolonField(cell: Cell): string {
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell).replace('.', ',') : '';
  const field = csvField(cell);
  return !field.startsWith('"') && field.includes(';') ? `"${field}"` : field;
}

const round = (value: number, digits: number): number => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};

/**
 * A value as CSV writes it, by kind: times as text in the site zone with their offset (lossless,
 * also over a clock change), durations in hours, ratios in percent (the headers' units), counts to
 * 3 decimals (spread counts are fractions), so no `48176.079999999994` reaches the file.
 */
function csvCell(kind: ExportColumn['kind'], value: Value, time: (d: Date) => string): Cell {
  if (value === null) return null;
  if (value instanceof Date) return time(value);
  if (typeof value === 'string') return value;
  switch (kind) {
    case 'duration':
      return round(value / 3600, 9);
    case 'percent':
      return round(value * 100, 4);
    case 'count':
    case 'number':
      return round(value, 3);
    default:
      return value;
  }
}

/** Distinct texts whose field is remembered (names, codes, categories repeat on every row). */
const TEXT_CACHE_SIZE = 4096;
const isDigit = (code: number) => code >= 48 && code <= 57;

/** CSV as UTF-8 text with a byte-order mark, a batch of rows per write. */
export function createCsvWriter(
  out: Writable,
  columns: ExportColumn[],
  options: { separator: CsvSeparator; timezone: string },
): TableWriter {
  const time = localTimeFormatter(options.timezone);
  const [field, between] = options.separator === 'semicolon' ? [semicolonField, ';'] : [csvField, ','];
  const kinds = columns.map((c) => c.kind);
  out.write(UTF8_BOM + columns.map((c) => field(c.header)).join(between) + '\r\n');
  const texts = new Map<string, string>();
  /**
   * A value's field, as `field(csvCell(…))` writes it, without its cost per cell: a time that starts
   * with a digit is one no guard or quote applies to, and the field of a text is looked up.
   */
  const fieldOf = (kind: ExportColumn['kind'], value: Value): string => {
    if (value === null) return '';
    if (value instanceof Date) {
      const text = time(value);
      return isDigit(text.charCodeAt(0)) ? text : field(text);
    }
    if (typeof value !== 'string') return field(csvCell(kind, value, time));
    let text = texts.get(value);
    if (text === undefined) {
      text = field(value);
      if (texts.size >= TEXT_CACHE_SIZE) texts.clear();
      texts.set(value, text);
    }
    return text;
  };
  return {
    readAhead: true,
    async write(rows, values) {
      let chunk = '';
      for (const source of rows) {
        const row = values(source);
        let line = fieldOf(kinds[0]!, row[0]!);
        for (let i = 1; i < row.length; i++) line += between + fieldOf(kinds[i]!, row[i]!);
        chunk += line + '\r\n';
      }
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
