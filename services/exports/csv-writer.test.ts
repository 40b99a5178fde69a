import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { COLUMNS } from '../../core/export-columns.js';
import { createCsvWriter, csvField } from './csv-writer.js';

const columns = [COLUMNS.machine, COLUMNS.start, COLUMNS.duration, COLUMNS.oee, COLUMNS.goodCount, COLUMNS.date];
const rows = [
  ['Saw; left', new Date('2026-01-15T08:00:00.500Z'), 48_176.079999999994, 0.853_25, 56.999_999_999_9, '2026-01-15'],
  ['=1+1', null, 1_800, null, 0, null],
  ['Press "A", 1', new Date('2026-07-01T08:00:00Z'), 90, 1, 12.5, '2026-07-01'],
];

async function csv(separator: 'comma' | 'semicolon'): Promise<string> {
  const out = new PassThrough();
  const body = buffer(out);
  const writer = createCsvWriter(out, columns, { separator, timezone: 'Europe/Paris' });
  await writer.write(rows, (row) => row);
  await writer.end();
  return (await body).toString('utf8');
}

describe('createCsvWriter', () => {
  it('writes UTF-8 with a byte-order mark, headers in words, hours, percent and rounded counts', async () => {
    expect(await csv('comma')).toBe(
      '\ufeffMachine,Start,Duration (h),OEE (%),Good count (parts),Date\r\n' +
        'Saw; left,2026-01-15T09:00:00.500+01:00,13.382244444,85.325,57,2026-01-15\r\n' +
        "'=1+1,,0.5,,0,\r\n" +
        '"Press ""A"", 1",2026-07-01T10:00:00+02:00,0.025,100,12.5,2026-07-01\r\n',
    );
  });

  it('with separator=semicolon: ; between fields, a decimal comma, text with a ; quoted, the formula guard kept', async () => {
    expect(await csv('semicolon')).toBe(
      '\ufeffMachine;Start;Duration (h);OEE (%);Good count (parts);Date\r\n' +
        '"Saw; left";2026-01-15T09:00:00.500+01:00;13,382244444;85,325;57;2026-01-15\r\n' +
        "'=1+1;;0,5;;0;\r\n" +
        '"Press ""A"", 1";2026-07-01T10:00:00+02:00;0,025;100;12,5;2026-07-01\r\n',
    );
  });
});

describe('csvField formula guard', () => {
  it('quotes formulas behind a leading space or in full-width form', () => {
    expect(csvField(' =HYPERLINK("http://x.example")')).toBe(`"' =HYPERLINK(""http://x.example"")"`);
    expect(csvField('＝1+1')).toBe("'＝1+1");
    expect(csvField('＋1')).toBe("'＋1");
    expect(csvField('－1')).toBe("'－1");
    expect(csvField('＠A1')).toBe("'＠A1");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('\r=1')).toBe(`"'\r=1"`);
  });

  it('leaves plain text and numbers as they are', () => {
    expect(['Job 7', 3, null, 'a=b'].map(csvField)).toEqual(['Job 7', '3', '', 'a=b']);
  });
});
