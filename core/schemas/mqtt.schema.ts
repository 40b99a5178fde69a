import { z } from 'zod';
import { filterError } from '../mqtt/topic.js';
import { idSchema, nameSchema } from './common.schema.js';

/**
 * MQTT mappings (issue 21, docs/mqtt.md): which topics belong to which machine, and how a payload becomes
 * states and counts. `rules.format` says how to read the payload: plain JSON, or Sparkplug B.
 */

/** How a count arrives: an increment per message, or a cumulative counter (a drop is a reset to zero). */
export const countModeSchema = z.enum(['increment', 'counter']);
export type CountMode = z.infer<typeof countModeSchema>;

/** A field in a JSON payload, by dotted path (`state`, `data.count`, `readings.0.value`). */
const fieldPath = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^.\s]+(\.[^.\s]+)*$/, 'a dotted path, e.g. data.state');

/** Value → activity code id. JSON values are matched as text: `1`, `true`, `RUN`. */
const codeTable = z
  .record(z.string().min(1).max(100), idSchema)
  .refine((t) => Object.keys(t).length <= 200, 'at most 200 values')
  .default({});

const metricName = z.string().trim().min(1).max(200);

export const jsonRulesSchema = z.object({
  format: z.literal('json'),
  statePath: fieldPath.nullable().default(null),
  stateCodes: codeTable,
  /** The time of the reading: ISO-8601 text, or a number of seconds (below 1e11) or milliseconds since 1970. Unset: on receipt. */
  timePath: fieldPath.nullable().default(null),
  goodPath: fieldPath.nullable().default(null),
  rejectPath: fieldPath.nullable().default(null),
  counts: countModeSchema.default('increment'),
});

export const sparkplugRulesSchema = z.object({
  format: z.literal('sparkplug'),
  stateMetric: metricName.nullable().default(null),
  stateCodes: codeTable,
  goodMetric: metricName.nullable().default(null),
  rejectMetric: metricName.nullable().default(null),
  counts: countModeSchema.default('counter'),
});

export const mappingRulesSchema = z.discriminatedUnion('format', [jsonRulesSchema, sparkplugRulesSchema]);
export type MappingRules = z.output<typeof mappingRulesSchema>;
export type JsonRules = z.output<typeof jsonRulesSchema>;
export type SparkplugRules = z.output<typeof sparkplugRulesSchema>;

const topicFilterSchema = z
  .string()
  .trim()
  .superRefine((f, ctx) => {
    const error = filterError(f);
    if (error) ctx.addIssue({ code: 'custom', message: `not an MQTT topic filter: ${error}` });
  });

export const mqttMappingInputSchema = z
  .object({
    name: nameSchema,
    enabled: z.boolean().default(true),
    topicFilter: topicFilterSchema,
    /** The machine every matching topic belongs to; or null with `machineLevel`. */
    machineId: idSchema.nullable().default(null),
    /** The topic level (0-based) whose text is the machine's name, e.g. 2 in `plant/press/<machine>/status`. */
    machineLevel: z.number().int().min(0).max(31).nullable().default(null),
    /** The code a Sparkplug NDEATH/DDEATH puts the machine in; null: the built-in Down. */
    noSignalCodeId: idSchema.nullable().default(null),
    rules: mappingRulesSchema,
  })
  .superRefine((m, ctx) => {
    if ((m.machineId === null) === (m.machineLevel === null)) {
      ctx.addIssue({ code: 'custom', path: ['machineId'], message: 'give either machineId or machineLevel' });
    }
    if (m.rules.format === 'sparkplug' && !m.topicFilter.startsWith('spBv1.0/')) {
      ctx.addIssue({ code: 'custom', path: ['topicFilter'], message: 'a Sparkplug B filter begins with spBv1.0/' });
    }
  });
export type MqttMappingInput = z.output<typeof mqttMappingInputSchema>;

export const mqttMappingSchema = z.object({
  id: z.number(),
  name: z.string(),
  enabled: z.boolean(),
  topicFilter: z.string(),
  machineId: z.number().nullable(),
  machineLevel: z.number().nullable(),
  noSignalCodeId: z.number().nullable(),
  rules: mappingRulesSchema,
});
export type MqttMapping = z.output<typeof mqttMappingSchema>;

/** The MQTT connection as /api/v1/health and the admin page show it. */
export const mqttStatusSchema = z.enum(['off', 'standby', 'connecting', 'connected', 'reconnecting']);
export type MqttStatus = z.infer<typeof mqttStatusSchema>;
