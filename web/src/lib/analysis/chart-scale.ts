/**
 * layerchart hands snippets its scales loosely typed. Bar labels need a scale's position for a value and,
 * for a band scale, the band's width: this is that shape, named once.
 */
export type Scale = ((value: unknown) => number) & { bandwidth?: () => number };

export const scale = (s: unknown): Scale => s as Scale;

/** A time axis: a position for an instant, and the instant under a position (for pointer selection). */
export type TimeScale = ((value: Date) => number) & { invert: (x: number) => Date | number };

export const timeScale = (s: unknown): TimeScale => s as TimeScale;
