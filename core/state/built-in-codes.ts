/** Ids of the seeded activity codes (docs/api.md), kept as DigitME2 numbered them. */
export const BUILT_IN_CODES = { up: 1, down: 2, closed: 3, overtime: 4 } as const;

/**
 * The built-in No data code (docs/oee.md "No data"): seeded as 5 on a new site, added with the next free
 * id to an existing one, so it is found by its `builtIn` key, never by id. Category unplanned_stop, flag
 * no_signal.
 */
export const NO_DATA_BUILT_IN = 'no_data';
export const NO_SIGNAL_FLAG = 'no_signal';
export const NO_DATA_COLOUR = '#7A7F87';
