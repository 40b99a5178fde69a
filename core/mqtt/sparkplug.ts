import type { SparkplugRules } from '../schemas/mqtt.schema.js';
import { readCount, readTime, stateKey, type Reading } from './readings.js';

/**
 * Sparkplug B (Eclipse Sparkplug 3.0) as the MQTT mappings read it: topics `spBv1.0/<group>/<type>/<edge>[/<device>]`,
 * payloads decoded by the transport (ingest/mqtt, the protobuf) into the plain shape below, with 64-bit numbers
 * as numbers. Births carry each metric's name and alias; data messages may carry the alias alone.
 */
export const SPARKPLUG_NAMESPACE = 'spBv1.0';
export const SPARKPLUG_TYPES = ['NBIRTH', 'NDATA', 'NDEATH', 'DBIRTH', 'DDATA', 'DDEATH', 'NCMD', 'DCMD', 'STATE'] as const;
export type SparkplugType = (typeof SPARKPLUG_TYPES)[number];

export interface SparkplugTopic {
  group: string;
  type: SparkplugType;
  edge: string;
  device: string | null;
}

export interface SparkplugMetric {
  name: string | null;
  alias: number | null;
  value: unknown;
  timestamp: number | null;
}

export interface SparkplugPayload {
  timestamp: number | null;
  seq: number | null;
  metrics: SparkplugMetric[];
}

export function parseSparkplugTopic(topic: string): SparkplugTopic | null {
  const [ns, group, type, edge, device, ...rest] = topic.split('/');
  if (ns !== SPARKPLUG_NAMESPACE || !group || !type || !edge || rest.length > 0) return null;
  if (!(SPARKPLUG_TYPES as readonly string[]).includes(type)) return null;
  return { group, type: type as SparkplugType, edge, device: device || null };
}

/** An edge node's session, as far as the mappings need it: the aliases its births declared and its last seq. */
export interface EdgeSession {
  aliases: Map<number, string>;
  lastSeq: number | null;
  /** Devices seen under it (a node's death is theirs too). */
  devices: Set<string>;
}

export function newEdgeSession(): EdgeSession {
  return { aliases: new Map(), lastSeq: null, devices: new Set() };
}

/** Notes a birth's aliases (name ↔ alias). */
export function learnAliases(session: EdgeSession, payload: SparkplugPayload): void {
  for (const m of payload.metrics) if (m.name !== null && m.alias !== null) session.aliases.set(m.alias, m.name);
}

/**
 * Follows the sequence number (0..255, every message of the node but its death); answers the gap when one or more
 * messages were missed: `{expected, got}`. An NBIRTH starts the sequence again.
 */
export function followSeq(session: EdgeSession, type: SparkplugType, seq: number | null): { expected: number; got: number } | null {
  if (seq === null || type === 'NDEATH' || type === 'NCMD' || type === 'DCMD' || type === 'STATE') return null;
  const last = session.lastSeq;
  session.lastSeq = seq;
  if (type === 'NBIRTH' || last === null) return null;
  const expected = (last + 1) % 256;
  return seq === expected ? null : { expected, got: seq };
}

/** The metrics by name (a metric sent by alias only takes its birth's name; unknown aliases are left out). */
export function metricsByName(session: EdgeSession, payload: SparkplugPayload): Map<string, SparkplugMetric> {
  const byName = new Map<string, SparkplugMetric>();
  for (const m of payload.metrics) {
    const name = m.name ?? (m.alias !== null ? session.aliases.get(m.alias) : undefined);
    if (name !== undefined) byName.set(name, m);
  }
  return byName;
}

/** Whether a payload names a metric by an alias no birth declared (the aliases were lost: a rebirth is wanted). */
export function hasUnknownAlias(session: EdgeSession, payload: SparkplugPayload): boolean {
  return payload.metrics.some((m) => m.name === null && m.alias !== null && !session.aliases.has(m.alias));
}

/** The least time between two Rebirth requests to one edge node. */
export const REBIRTH_EVERY_MS = 30_000;

/** The NCMD topic of an edge node and the metric that asks it to publish its births again (Sparkplug B 3.0, 6.4.8). */
export const rebirthTopic = (group: string, edge: string) => `${SPARKPLUG_NAMESPACE}/${group}/NCMD/${edge}`;
export const REBIRTH_METRIC = 'Node Control/Rebirth';

/** A birth or data message read by a mapping's rules: its state and counts (the metric's timestamp, else the payload's). */
export function readSparkplugMetrics(rules: SparkplugRules, metrics: Map<string, SparkplugMetric>, payload: SparkplugPayload): Reading {
  const timeOf = (m: SparkplugMetric | undefined) => readTime(m?.timestamp ?? payload.timestamp ?? undefined);
  const state = rules.stateMetric ? metrics.get(rules.stateMetric) : undefined;
  let activityCodeId: number | null = null;
  let unknownState: string | null = null;
  if (state) {
    const key = stateKey(state.value);
    const code = key === null ? undefined : rules.stateCodes[key];
    if (code !== undefined) activityCodeId = code;
    else unknownState = key ?? JSON.stringify(state.value);
  }
  const count = (name: string | null) => {
    const m = name ? metrics.get(name) : undefined;
    const value = m ? readCount(m.value) : null;
    return value === null ? null : { mode: rules.counts, value };
  };
  const good = count(rules.goodMetric);
  const rejects = count(rules.rejectMetric);
  const timed = state ?? (rules.goodMetric ? metrics.get(rules.goodMetric) : undefined);
  return { at: timeOf(timed), activityCodeId, unknownState, good, rejects };
}
