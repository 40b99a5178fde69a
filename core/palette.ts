/**
 * The default colour of an activity code by its OEE category: calm on a TV and told apart by people
 * with the common colour-vision deficiencies, derived from the Okabe–Ito palette (bluish green,
 * vermillion, orange, and a blue-grey for planned shutdown). Each keeps a text contrast of at least
 * 4.5:1 with black or white (web/src/lib/colour.test.ts checks it). Pure data: the seed, the
 * migration that replaces unchanged seeded colours and the admin form share it.
 */
import type { Category } from './vocabulary.js';

export const categoryColours: Record<Category, string> = {
  running: '#009E73',
  unplanned_stop: '#D55E00',
  planned_stop: '#E69F00',
  planned_shutdown: '#8C96A0',
};

/** Long-stop thresholds (minutes) a new site starts with; a category left out is never flagged. */
export const defaultLongStopMinutes: Partial<Record<Category, number | null>> = { unplanned_stop: 15, planned_stop: 30 };
