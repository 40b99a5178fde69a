import { describe, expect, it } from 'vitest';
import { spreadsheetSafeText } from './spreadsheet-text.js';

describe('spreadsheetSafeText', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    [' =HYPERLINK("x")', `' =HYPERLINK("x")`],
    ['\u3000=1', "'\u3000=1"],
    ['  \t+1', "'  \t+1"],
    ['＝HYPERLINK("x")', `'＝HYPERLINK("x")`],
    ['＋1', "'＋1"],
    ['－1', "'－1"],
    ['＠SUM(A1)', "'＠SUM(A1)"],
    ['\tanything', "'\tanything"],
    ['\ranything', "'\ranything"],
  ])('guards %j', (input, expected) => {
    expect(spreadsheetSafeText(input)).toBe(expected);
  });

  it.each(['Job 42', 'a=b', 'x-1', '', ' ', 'e-mail@x'])('leaves %j alone', (input) => {
    expect(spreadsheetSafeText(input)).toBe(input);
  });
});
