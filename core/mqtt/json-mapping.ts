import type { JsonRules } from '../schemas/mqtt.schema.js';
import { readCount, readTime, stateKey, type Reading } from './readings.js';

/** The value at a dotted path (`data.count`, `readings.0.value`), or undefined. */
export function fieldAt(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export type JsonReadResult = { ok: true; reading: Reading } | { ok: false; reason: string };

/** A plain JSON payload read by a mapping's rules (docs/mqtt.md "JSON"). */
export function readJsonPayload(rules: JsonRules, text: string): JsonReadResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the payload is not JSON' };
  }
  let at: Date | null = null;
  if (rules.timePath) {
    const raw = fieldAt(body, rules.timePath);
    if (raw !== undefined) {
      at = readTime(raw);
      if (!at) return { ok: false, reason: `the time field ${rules.timePath} is not a time` };
    }
  }
  let activityCodeId: number | null = null;
  let unknownState: string | null = null;
  if (rules.statePath) {
    const raw = fieldAt(body, rules.statePath);
    if (raw !== undefined) {
      const key = stateKey(raw);
      const code = key === null ? undefined : rules.stateCodes[key];
      if (code !== undefined) activityCodeId = code;
      else unknownState = key ?? JSON.stringify(raw);
    }
  }
  const count = (path: string | null) => {
    if (!path) return null;
    const value = readCount(fieldAt(body, path));
    return value === null ? null : { mode: rules.counts, value };
  };
  return { ok: true, reading: { at, activityCodeId, unknownState, good: count(rules.goodPath), rejects: count(rules.rejectPath) } };
}
