import { readFileSync } from 'node:fs';
import { categoryColours } from '$core/palette.js';
import { describe, expect, it } from 'vitest';
import { contrastRatio, relativeLuminance, textOn } from './colour';

const appCss = readFileSync(new URL('../app.css', import.meta.url), 'utf8');

describe('textOn', () => {
  it('picks black on light colours and white on dark ones, by the higher WCAG contrast ratio', () => {
    expect(textOn('#00FF80')).toBe('#000000');
    expect(textOn('#B22222')).toBe('#ffffff');
    expect(textOn('#C62828')).toBe('#ffffff');
    expect(textOn('#C6C6C6')).toBe('#000000');
    expect(textOn('#FFFFFF')).toBe('#000000');
    expect(textOn('#000000')).toBe('#ffffff');
  });

  it('gives the colours the three screens used to disagree on one answer', () => {
    // Running green: white before on analysis (threshold 0.4), black on the tablet and the wall.
    expect(textOn('#1f9d55')).toBe('#000000');
    // Pure red: black contrast 5.25, white 4.00.
    expect(textOn('#FF0000')).toBe('#000000');
    expect(textOn('#d64545')).toBe('#000000');
    expect(textOn('#0000FF')).toBe('#ffffff');
  });

  it('turns between the greys #757575 and #767676', () => {
    expect(textOn('#747474')).toBe('#ffffff');
    expect(textOn('#757575')).toBe('#ffffff');
    expect(textOn('#767676')).toBe('#000000');
    expect(textOn('#777777')).toBe('#000000');
  });

  it('reads lower-case hex the same as upper-case', () => {
    expect(textOn('#b22222')).toBe(textOn('#B22222'));
    expect(textOn('#00ff80')).toBe(textOn('#00FF80'));
  });

  it('gives white when there is no #RRGGBB colour', () => {
    expect(textOn(null)).toBe('#ffffff');
    expect(textOn(undefined)).toBe('#ffffff');
    expect(textOn('')).toBe('#ffffff');
    expect(textOn('B22222')).toBe('#ffffff');
    expect(textOn('#FFF')).toBe('#ffffff');
    expect(textOn('red')).toBe('#ffffff');
  });
});

describe('relativeLuminance and contrastRatio', () => {
  it('follow WCAG 2', () => {
    expect(relativeLuminance('#000000')).toBe(0);
    expect(relativeLuminance('#FFFFFF')).toBe(1);
    expect(relativeLuminance('#FF0000')).toBeCloseTo(0.2126, 10);
    expect(relativeLuminance('#767676')).toBeCloseTo(0.181164, 6);
    expect(relativeLuminance('nope')).toBeNull();
    expect(contrastRatio(1, 0)).toBe(21);
    expect(contrastRatio(0, 1)).toBe(21);
    expect(contrastRatio(0.5, 0.5)).toBe(1);
    // #767676 on white: 4.54, the lightest grey that passes WCAG AA for body text.
    expect(contrastRatio(relativeLuminance('#767676')!, 1)).toBeCloseTo(4.5422, 4);
  });
});

describe('the category palette (core/palette.ts)', () => {
  it('gives every colour a text colour of at least 4.5:1, and app.css uses the same colours', () => {
    for (const [category, colour] of Object.entries(categoryColours)) {
      const luminance = relativeLuminance(colour)!;
      const text = textOn(colour) === '#000000' ? 0 : 1;
      expect(contrastRatio(luminance, text), `${category} ${colour}`).toBeGreaterThanOrEqual(4.5);
      expect(appCss.toLowerCase()).toContain(`--cat-${category}: ${colour.toLowerCase()};`);
    }
    // Exact ratios, so a change of the palette is a change of this test.
    expect(
      Object.fromEntries(Object.entries(categoryColours).map(([k, c]) => [k, contrastRatio(relativeLuminance(c)!, 0).toFixed(2)])),
    ).toEqual({
      running: '6.14',
      unplanned_stop: '5.43',
      planned_stop: '9.32',
      planned_shutdown: '6.99',
    });
    expect(Object.values(categoryColours).map(textOn)).toEqual(['#000000', '#000000', '#000000', '#000000']);
  });
});
