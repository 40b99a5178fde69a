/** Ids of the seeded activity codes (docs/api.md), kept as DigitME2 numbered them. */
export const BUILT_IN_CODES = { up: 1, down: 2, closed: 3, overtime: 4 } as const;
