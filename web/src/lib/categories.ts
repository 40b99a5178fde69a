import type { Category, DowntimeCause } from '$core/vocabulary.js';

/** How each activity code category is named on screen (docs/oee.md vocabulary). */
export const categoryLabels: Record<Category, string> = {
  running: 'Running',
  unplanned_stop: 'Unplanned stop',
  planned_stop: 'Planned stop',
  planned_shutdown: 'Planned shutdown',
};

/** How each downtime cause is named on screen (docs/oee.md "Downtime causes"). */
export const causeLabels: Record<DowntimeCause, string> = {
  machine: 'Machine',
  operator: 'Operator',
  material: 'Material',
  quality: 'Quality',
  other: 'Other',
};

/** The bar colour of each cause in the loss Pareto (distinct from the category colours on purpose). */
export const causeColours: Record<DowntimeCause, string> = {
  machine: '#3b6fd4',
  operator: '#8e44ad',
  material: '#d9822b',
  quality: '#138d90',
  other: '#7a7f87',
};
