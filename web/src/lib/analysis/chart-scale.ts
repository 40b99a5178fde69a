/**
 * layerchart hands snippets its scales loosely typed. Bar labels need a scale's position for a value and,
 * for a band scale, the band's width: this is that shape, named once.
 */
export type Scale = ((value: unknown) => number) & { bandwidth?: () => number };

export const scale = (s: unknown): Scale => s as Scale;
