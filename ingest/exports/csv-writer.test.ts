import { describe, expect, it } from 'vitest';
import { csvField, csvLine } from './csv-writer.js';

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
    expect(csvLine(['Job 7', 3, null, 'a=b'])).toBe('Job 7,3,,a=b\r\n');
  });
});
