/**
 * Every InfluxDB measurement, tag and field name OEE Monitor writes, in one place (docs/architecture.md "Storage").
 * Dashboards and Flux/InfluxQL queries depend on these: renaming one splits the history in two.
 *
 * Tags are indexed and every distinct tag set is a new series, so only low-cardinality values that
 * never change for a point are tags: machine, activity code, category. Job ids and numbers, operators
 * and sources vary without bound and are fields. The machine's group is not written: a machine can
 * move to another group, which would split its series; join groups from the set-up data instead.
 *
 * Victoria-metrics and other Prometheus-style stores name the series `<measurement>_<field>` with the
 * tags as labels (e.g. `machine_state_running{machine_id="3",activity_code_id="1",category="running"}`)
 * and keep numeric fields only.
 */

export const influxMeasurements = {
  /** One point per accepted state change, at the time the machine entered the state. */
  machineState: 'machine_state',
  /** One point per production record, at the end (`to`) of its span. */
  production: 'production',
} as const;

export const influxTags = {
  machineId: 'machine_id',
  activityCodeId: 'activity_code_id',
  /** running | unplanned_stop | planned_stop | planned_shutdown (docs/oee.md). */
  category: 'category',
} as const;

export const influxFields = {
  /** machine_state: 1 when the code's category is `running`, else 0. Numeric so it can be aggregated. */
  running: 'running',
  /** machine_state: where the event came from (device, api, legacy, tablet, scheduler, correction, job). */
  source: 'source',
  /** machine_state, corrections only: the code held over [time, until_ms) (Unix ms), then the earlier history resumes. */
  untilMs: 'until_ms',
  jobId: 'job_id',
  jobNumber: 'job_number',
  operatorId: 'operator_id',
  /** production: good parts in the record. */
  good: 'good',
  /** production: rejected parts in the record. */
  rejects: 'rejects',
  /** production: length of the record's span [from, to) in seconds; 0 for a count at an instant. */
  spanSeconds: 'span_seconds',
} as const;
export type InfluxField = (typeof influxFields)[keyof typeof influxFields];

/**
 * The line-protocol type of every field. InfluxDB fixes a field's type per series on first write and
 * refuses points that disagree, and JSON (the outbox stores fields as jsonb) cannot tell 3 from 3.0,
 * so the writer takes the type from here rather than from the value.
 */
export const influxFieldTypes: Record<InfluxField, 'int' | 'float' | 'string' | 'boolean'> = {
  running: 'int',
  source: 'string',
  until_ms: 'int',
  job_id: 'int',
  job_number: 'string',
  operator_id: 'int',
  good: 'int',
  rejects: 'int',
  span_seconds: 'float',
};

/** Timestamps are written with millisecond precision (Postgres keeps microseconds; devices send ms). */
export const influxPrecision = 'ms' as const;
