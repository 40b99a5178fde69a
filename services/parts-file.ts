import ExcelJS from 'exceljs';
import { COLUMNS, PART_CATALOGUE_COLUMNS, XLSX_NUMBER_FORMATS } from '../core/export-columns.js';
import { AppError } from '../core/errors.js';
import type { CsvSeparator } from '../core/schemas/export.schema.js';
import {
  MAX_IDEAL_CYCLE_TIME_SECONDS,
  MAX_PART_IMPORT_ROWS,
  type PartFileFormat,
  type PartImportError,
} from '../core/schemas/parts.schema.js';
import { looksLikeFormula } from '../core/text/spreadsheet-text.js';
import type { PartFields } from '../db/repositories/parts.repository.js';
import { csvField, UTF8_BOM } from './exports/csv-writer.js';

/**
 * The part catalogue as a file (docs/api.md "Part catalogue"): one header row, then one row per entry with the
 * columns of PART_CATALOGUE_COLUMNS (core/export-columns.ts). The export writes it; the import reads it back,
 * so an exported file imports unchanged.
 */

/** A cell as read: text, a number (xlsx number cells), or empty. */
export type Cell = string | number | null;

/** The rows of a file as read, each with its spreadsheet row number (the header is row 1). */
export interface Table {
  rows: { row: number; cells: Cell[] }[];
  /** CSV with `;` between fields reads a decimal comma in numbers. */
  decimalComma: boolean;
  /** Row-level problems of the file itself (an unclosed quote). */
  errors: PartImportError[];
}

interface Scopes {
  machines: { id: number; name: string }[];
  groups: { id: number; name: string }[];
}

type Key = (typeof PART_CATALOGUE_COLUMNS)[number];

/** Header texts each column is recognised by (compared lower-case, spaces squeezed), the export's first. */
const HEADER_NAMES: Record<Key, string[]> = {
  partNumber: [COLUMNS.partNumber.header, 'partNumber', 'part no', 'part'],
  partName: [COLUMNS.partName.header, 'name', 'partName'],
  idealCycleTimeSeconds: [COLUMNS.idealCycleTimeSeconds.header, 'idealCycleTimeSeconds', 'ideal cycle time'],
  machine: [COLUMNS.machine.header],
  group: [COLUMNS.group.header],
};
const REQUIRED: Key[] = ['partNumber', 'idealCycleTimeSeconds'];
const headerOf = (key: Key) => COLUMNS[key].header;
const squeeze = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase();

/** Reads an import's content: CSV text, or an xlsx workbook in base64 (its first sheet). */
export async function readTable(format: PartFileFormat, content: string): Promise<Table> {
  return format === 'csv' ? readCsv(content) : readXlsx(content);
}

/**
 * RFC 4180 with what spreadsheets write: a byte-order mark, CRLF or LF, `"` quoting with `""` inside, and `;`
 * instead of `,` when the header has more of them (then numbers have a decimal comma). Reading stops past the
 * row limit (the caller reports it).
 */
export function readCsv(text: string): Table {
  const source = text.startsWith(UTF8_BOM) ? text.slice(1) : text;
  const firstLine = source.slice(0, source.search(/\r?\n|$/));
  const delimiter = count(firstLine, ';') > count(firstLine, ',') ? ';' : ',';
  const rows: Table['rows'] = [];
  const errors: PartImportError[] = [];
  let cells: string[] = [];
  let field = '';
  let quoted = false;
  let row = 1;
  let i = 0;
  const endRow = () => {
    cells.push(field);
    rows.push({ row, cells });
    cells = [];
    field = '';
    row++;
  };
  while (i < source.length && rows.length <= MAX_PART_IMPORT_ROWS + 1) {
    const ch = source[i]!;
    if (quoted) {
      if (ch === '"' && source[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) {
      cells.push(field);
      field = '';
    } else if (ch === '\n' || (ch === '\r' && source[i + 1] === '\n')) {
      endRow();
      if (ch === '\r') i++;
    } else field += ch;
    i++;
  }
  if (quoted) errors.push({ row, column: null, message: 'A quoted field is not closed: the file ends inside quotes' });
  if (field !== '' || cells.length > 0) endRow();
  return { rows, decimalComma: delimiter === ';', errors };
}

function count(text: string, ch: string): number {
  return text.split(ch).length - 1;
}

/** The first sheet of an xlsx workbook; formula cells give their result, rich text its text. */
export async function readXlsx(base64: string): Promise<Table> {
  const buffer = Buffer.from(base64, 'base64');
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch {
    throw AppError.invalid('The content is not an xlsx workbook (send the file in base64)', [
      { path: ['content'], message: 'not an xlsx workbook in base64' },
    ]);
  }
  const sheet = workbook.worksheets[0];
  const rows: Table['rows'] = [];
  if (!sheet) return { rows, decimalComma: false, errors: [] };
  const last = Math.min(sheet.rowCount, MAX_PART_IMPORT_ROWS + 2);
  for (let r = 1; r <= last; r++) {
    const row = sheet.getRow(r);
    const cells: Cell[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellValue(row.getCell(c).value));
    rows.push({ row: r, cells });
  }
  return { rows, decimalComma: false, errors: [] };
}

function cellValue(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if ('richText' in value) return value.richText.map((t) => t.text).join('');
  if ('result' in value) return cellValue((value.result ?? null) as ExcelJS.CellValue);
  if ('text' in value) return String(value.text);
  return null;
}

/**
 * The entries of a file, or what is wrong with it: every problem of every row, each with its row number,
 * column and a message in words. Machines and groups are named (exact, else the one name that differs in case
 * only); both empty means the entry is for every machine. A part number and scope twice is an error on the
 * later row. Header cells that name no column are left alone and listed.
 */
export function catalogueEntries(
  table: Table,
  scopes: Scopes,
): { entries: PartFields[]; rows: number; errors: PartImportError[]; ignoredColumns: string[] } {
  const errors: PartImportError[] = [...table.errors];
  const [head, ...body] = table.rows;
  if (!head || head.cells.every((c) => text(c) === ''))
    throw AppError.invalid('The file is empty: it needs a header row, then one row per entry', [
      { path: ['content'], message: 'no header row' },
    ]);

  const index = new Map<Key, number>();
  const ignoredColumns: string[] = [];
  head.cells.forEach((cell, i) => {
    const name = squeeze(text(cell));
    if (name === '') return;
    const key = (Object.keys(HEADER_NAMES) as Key[]).find((k) => HEADER_NAMES[k].some((h) => squeeze(h) === name));
    if (!key) ignoredColumns.push(text(cell).trim());
    else if (index.has(key))
      errors.push({ row: head.row, column: text(cell).trim(), message: `The header names the ${headerOf(key)} column twice` });
    else index.set(key, i);
  });
  for (const key of REQUIRED) {
    if (!index.has(key)) errors.push({ row: head.row, column: headerOf(key), message: `The header has no ${headerOf(key)} column` });
  }
  if (errors.some((e) => e.row === head.row)) return { entries: [], rows: 0, errors, ignoredColumns };

  const data = body.filter((r) => r.cells.some((c) => text(c) !== ''));
  if (data.length > MAX_PART_IMPORT_ROWS) {
    return {
      entries: [],
      rows: data.length,
      errors: [
        { row: data[MAX_PART_IMPORT_ROWS]!.row, column: null, message: `The file has more than ${MAX_PART_IMPORT_ROWS} rows: split it` },
      ],
      ignoredColumns,
    };
  }

  const machines = lookup(scopes.machines);
  const groups = lookup(scopes.groups);
  const seen = new Map<string, number>();
  const entries: PartFields[] = [];
  for (const { row, cells } of data) {
    const cell = (key: Key) => (index.has(key) ? (cells[index.get(key)!] ?? null) : null);
    const problems: PartImportError[] = [];
    const problem = (key: Key, message: string) => problems.push({ row, column: headerOf(key), message });

    const partNumber = unguarded(text(cell('partNumber')).trim());
    if (partNumber === '') problem('partNumber', 'Part number is required');
    else if (partNumber.length > 100) problem('partNumber', 'Part number can be at most 100 characters long');

    const name = unguarded(text(cell('partName')).trim());
    if (name.length > 100) problem('partName', 'Part name can be at most 100 characters long');

    const seconds = readSeconds(cell('idealCycleTimeSeconds'), table.decimalComma);
    if (typeof seconds === 'string') problem('idealCycleTimeSeconds', seconds);

    const machineName = unguarded(text(cell('machine')).trim());
    const groupName = unguarded(text(cell('group')).trim());
    const machineId = machineName === '' ? null : machines(machineName);
    const groupId = groupName === '' ? null : groups(groupName);
    if (machineName !== '' && machineId === null) problem('machine', `There is no machine named "${machineName}"`);
    if (groupName !== '' && groupId === null) problem('group', `There is no group named "${groupName}"`);
    if (machineName !== '' && groupName !== '') problem('group', 'An entry is for a machine or for a group, not both: leave one empty');

    if (problems.length === 0) {
      const entry: PartFields = { partNumber, name, idealCycleTimeSeconds: seconds as number, machineId, groupId };
      const key = `${partNumber}\u0000${machineId ?? ''}\u0000${groupId ?? ''}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        const scope = machineId !== null ? `machine "${machineName}"` : groupId !== null ? `group "${groupName}"` : 'every machine';
        problem('partNumber', `Row ${earlier} already has part "${partNumber}" for ${scope}`);
      } else {
        seen.set(key, row);
        entries.push(entry);
      }
    }
    errors.push(...problems);
  }
  return { entries, rows: data.length, errors, ignoredColumns };
}

function text(cell: Cell): string {
  return cell === null ? '' : String(cell);
}

/** The export guards text that a spreadsheet would run as a formula with a leading apostrophe: taken off again. */
function unguarded(value: string): string {
  return value.startsWith("'") && looksLikeFormula(value.slice(1)) ? value.slice(1) : value;
}

/** A decimal as people type it ("12.5", "12,5" in a `;` file, "1e3"): seconds, or what is wrong in words. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
function readSeconds(cell: Cell, decimalComma: boolean): number | string {
  const header = COLUMNS.idealCycleTimeSeconds.header;
  let x: number;
  if (typeof cell === 'number') x = cell;
  else {
    const raw = text(cell).trim();
    if (raw === '') return `${header} is required`;
    const normalised = decimalComma ? raw.replace(',', '.') : raw;
    if (!DECIMAL.test(normalised)) return `${header} must be a number of seconds greater than 0, not "${raw}"`;
    x = Number(normalised);
  }
  if (!Number.isFinite(x) || x <= 0) return `${header} must be a number of seconds greater than 0, not "${text(cell).trim()}"`;
  if (x > MAX_IDEAL_CYCLE_TIME_SECONDS) return `${header} can be at most ${MAX_IDEAL_CYCLE_TIME_SECONDS} (a year)`;
  const tidy = Number(x.toPrecision(12));
  return tidy > 0 ? tidy : `${header} is too small to store`;
}

/** A name → id look-up: the exact name, else the only one equal to it ignoring case. */
function lookup(rows: { id: number; name: string }[]): (name: string) => number | null {
  const exact = new Map(rows.map((r) => [r.name, r.id]));
  return (name) => {
    const hit = exact.get(name);
    if (hit !== undefined) return hit;
    const folded = rows.filter((r) => r.name.toLowerCase() === name.toLowerCase());
    return folded.length === 1 ? folded[0]!.id : null;
  };
}

/** One catalogue row of a file: part number, name, seconds, machine name, group name. */
export type CatalogueRow = [string, string, number, string | null, string | null];

/**
 * The catalogue file. Seconds are written in full (not rounded as the exports round numbers), so a file
 * exported and imported again changes nothing. CSV: UTF-8 with a byte-order mark, text guarded against
 * formulas; `semicolon` puts `;` between fields and a decimal comma in numbers.
 */
export async function catalogueFile(format: PartFileFormat, rows: CatalogueRow[], separator: CsvSeparator): Promise<Buffer> {
  const columns = PART_CATALOGUE_COLUMNS.map((k) => COLUMNS[k]);
  if (format === 'csv') {
    const between = separator === 'semicolon' ? ';' : ',';
    const field = (cell: string | number | null): string => {
      if (typeof cell === 'number' && separator === 'semicolon') return String(cell).replace('.', ',');
      const out = csvField(cell);
      return separator === 'semicolon' && !out.startsWith('"') && out.includes(';') ? `"${out}"` : out;
    };
    const lines = [columns.map((c) => field(c.header)), ...rows.map((r) => r.map(field))].map((cells) => cells.join(between) + '\r\n');
    return Buffer.from(UTF8_BOM + lines.join(''), 'utf8');
  }
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Parts', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({
    width: c.width,
    style: c.kind === 'text' ? {} : { numFmt: XLSX_NUMBER_FORMATS[c.kind] ?? 'General' },
  }));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  sheet.addRow(columns.map((c) => c.header)).font = { bold: true };
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
