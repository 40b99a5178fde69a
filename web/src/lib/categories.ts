import type { Category } from '$core/schemas/setup.schema.js';

/** How each activity code category is named on screen (docs/oee.md vocabulary). */
export const categoryLabels: Record<Category, string> = {
  running: 'Running',
  unplanned_stop: 'Unplanned stop',
  planned_stop: 'Planned stop',
  planned_shutdown: 'Planned shutdown',
};
