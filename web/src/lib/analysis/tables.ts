/** The tables of /tables (the seed's, with better numbers). */
export const tables = [
  {
    id: 'oee',
    label: 'OEE report',
    description: 'Per machine over the whole range: the time model (hours:minutes), counts and the OEE factors.',
  },
  {
    id: 'shift-oee',
    label: 'OEE by shift',
    description:
      'OEE per machine and shift of its shift pattern (a machine without one: per day); shifts without planned time are left out.',
  },
  { id: 'daily-oee', label: 'Daily OEE', description: 'OEE per machine and site-local day.' },
  {
    id: 'daily-production',
    label: 'Daily production',
    description: 'Good parts per machine and site-local day (counts over a span are spread over it).',
  },
  { id: 'jobs', label: 'Jobs', description: 'Every job overlapping the range, with its counts.' },
  { id: 'durations-machine', label: 'Activity by machine', description: 'Time per activity code and machine, in hours:minutes.' },
  {
    id: 'losses-cause',
    label: 'Losses by cause',
    description: 'Stop time inside planned windows per machine and downtime cause, in hours:minutes (the loss Pareto by cause).',
  },
  {
    id: 'reasons',
    label: 'Reasons',
    description:
      'Per machine and shift: stop time in planned time (micro-stops left out), the share with a specific reason (not Down or No data), the stops that needed a reason, how many got one, and how long after the stop the reason came.',
  },
  {
    id: 'durations-operator',
    label: 'Activity by operator',
    description: 'Time per activity code and the operator signed in at the time, in hours:minutes.',
  },
] as const;
export type TableId = (typeof tables)[number]['id'];
