import { describe, expect, it } from 'vitest';
import { readCsv } from './parts-file.js';

describe('readCsv', () => {
  it('reads RFC 4180 as spreadsheets write it: BOM, CRLF or LF, quotes with "" and line breaks inside', () => {
    const table = readCsv('\ufeffa,b\r\n"x, ""y""",2\n"two\nlines",3\r\nlast,4');
    expect(table.rows).toEqual([
      { row: 1, cells: ['a', 'b'] },
      { row: 2, cells: ['x, "y"', '2'] },
      { row: 3, cells: ['two\nlines', '3'] },
      { row: 4, cells: ['last', '4'] },
    ]);
    expect(table.decimalComma).toBe(false);
    expect(table.errors).toEqual([]);
  });

  it('takes ; between fields when the header has more of them, with a decimal comma', () => {
    const table = readCsv('Part number;Ideal cycle time (s)\r\nP,1;5\r\n');
    expect(table.rows.map((r) => r.cells)).toEqual([
      ['Part number', 'Ideal cycle time (s)'],
      ['P,1', '5'],
    ]);
    expect(table.decimalComma).toBe(true);
  });
});
