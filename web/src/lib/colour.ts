/**
 * The text colour on an activity code's colour, the same on the wall, the tablet and the analysis pages.
 * Pure, no imports: small for the wall's bundle budget (docs/architecture.md "Budgets"), testable without a browser.
 */

/** WCAG 2 relative luminance of `#RRGGBB` (0 = black, 1 = white); null when it is not such a colour. */
export function relativeLuminance(colour: string): number | null {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (!m) return null;
  const [r, g, b] = [m[1]!, m[2]!, m[3]!].map((hex) => {
    const c = parseInt(hex, 16) / 255;
    // sRGB's own threshold; WCAG 2's 0.03928 gives the same result for every 8-bit channel.
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of two luminances, 1 to 21. */
export function contrastRatio(a: number, b: number): number {
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

/**
 * Black or white text on `#RRGGBB`, whichever has the higher contrast ratio (white on a tie, which no
 * 8-bit colour reaches). No colour gets white, as on the wall's dark grey tile of a machine without data.
 */
export function textOn(colour: string | null | undefined): '#000000' | '#ffffff' {
  const luminance = colour ? relativeLuminance(colour) : null;
  if (luminance === null) return '#ffffff';
  return contrastRatio(luminance, 0) > contrastRatio(luminance, 1) ? '#000000' : '#ffffff';
}
