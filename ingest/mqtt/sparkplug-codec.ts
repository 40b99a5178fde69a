import sparkplug from 'sparkplug-payload';
import type { SparkplugMetric, SparkplugPayload } from '../../core/mqtt/sparkplug.js';

/** The Sparkplug B protobuf (sparkplug-payload) as core/mqtt/sparkplug.ts reads it: 64-bit numbers as numbers. */
const codec = sparkplug.get('spBv1.0')!;

type Long = { toNumber(): number };
const isLong = (v: unknown): v is Long => typeof v === 'object' && v !== null && typeof (v as Long).toNumber === 'function';
const num = (v: unknown): number | null =>
  v === undefined || v === null ? null : isLong(v) ? v.toNumber() : typeof v === 'number' ? v : null;

export function decodeSparkplug(bytes: Uint8Array): SparkplugPayload | null {
  try {
    const p = codec.decodePayload(bytes) as { timestamp?: unknown; seq?: unknown; metrics?: Record<string, unknown>[] };
    return {
      timestamp: num(p.timestamp),
      seq: num(p.seq),
      metrics: (p.metrics ?? []).map((m): SparkplugMetric => ({
        name: typeof m.name === 'string' ? m.name : null,
        alias: num(m.alias),
        value: isLong(m.value) ? m.value.toNumber() : m.value,
        timestamp: num(m.timestamp),
      })),
    };
  } catch {
    return null;
  }
}

/** Encodes a payload (the simulator and tests): metrics with a Sparkplug type each. */
export function encodeSparkplug(payload: {
  timestamp?: number;
  seq?: number;
  metrics: { name?: string; alias?: number; type: string; value: unknown; timestamp?: number }[];
}): Uint8Array {
  return codec.encodePayload(payload as never);
}
