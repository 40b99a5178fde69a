import type { ActivityCode, MqttMapping } from '$lib/admin/types';

/** The MQTT mapping form's fields, as typed; `toBody` makes the API's mapping of them (docs/mqtt.md). */
export interface MappingDraft {
  name: string;
  enabled: boolean;
  topicFilter: string;
  /** 'level': the machine is named by a topic level. */
  machine: number | 'level';
  machineLevel: number;
  noSignalCodeId: number | null;
  format: 'json' | 'sparkplug';
  /** JSON: a field path; Sparkplug: a metric name. */
  state: string;
  /** One `value = code` a line; the code by name or id. */
  codes: string;
  timePath: string;
  good: string;
  rejects: string;
  counts: 'increment' | 'counter';
}

export const blankDraft = (): MappingDraft => ({
  name: '',
  enabled: true,
  topicFilter: '',
  machine: 'level',
  machineLevel: 1,
  noSignalCodeId: null,
  format: 'json',
  state: '',
  codes: '',
  timePath: '',
  good: '',
  rejects: '',
  counts: 'increment',
});

export function draftOf(m: MqttMapping, codes: ActivityCode[]): MappingDraft {
  const name = (id: number) => codes.find((c) => c.id === id)?.shortDescription ?? String(id);
  const r = m.rules;
  return {
    name: m.name,
    enabled: m.enabled,
    topicFilter: m.topicFilter,
    machine: m.machineId ?? 'level',
    machineLevel: m.machineLevel ?? 1,
    noSignalCodeId: m.noSignalCodeId,
    format: r.format,
    state: (r.format === 'json' ? r.statePath : r.stateMetric) ?? '',
    codes: Object.entries(r.stateCodes)
      .map(([value, id]) => `${value} = ${name(id)}`)
      .join('\n'),
    timePath: r.format === 'json' ? (r.timePath ?? '') : '',
    good: (r.format === 'json' ? r.goodPath : r.goodMetric) ?? '',
    rejects: (r.format === 'json' ? r.rejectPath : r.rejectMetric) ?? '',
    counts: r.counts,
  };
}

/** The API body, or the line of the code table that names no activity code. */
export function toBody(d: MappingDraft, codes: ActivityCode[]): { body: unknown } | { error: string } {
  const stateCodes: Record<string, number> = {};
  for (const line of d.codes
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const at = line.lastIndexOf('=');
    const value = at > 0 ? line.slice(0, at).trim() : '';
    const code = at > 0 ? line.slice(at + 1).trim() : '';
    const found = codes.find((c) => c.shortDescription.toLowerCase() === code.toLowerCase()) ?? codes.find((c) => String(c.id) === code);
    if (!value || !found) return { error: `“${line}”: write value = activity code (a code's name or id)` };
    stateCodes[value] = found.id;
  }
  const text = (s: string) => (s.trim() === '' ? null : s.trim());
  const rules =
    d.format === 'json'
      ? {
          format: 'json',
          statePath: text(d.state),
          stateCodes,
          timePath: text(d.timePath),
          goodPath: text(d.good),
          rejectPath: text(d.rejects),
          counts: d.counts,
        }
      : {
          format: 'sparkplug',
          stateMetric: text(d.state),
          stateCodes,
          goodMetric: text(d.good),
          rejectMetric: text(d.rejects),
          counts: d.counts,
        };
  return {
    body: {
      name: d.name.trim(),
      enabled: d.enabled,
      topicFilter: d.topicFilter.trim(),
      machineId: d.machine === 'level' ? null : d.machine,
      machineLevel: d.machine === 'level' ? Number(d.machineLevel) : null,
      noSignalCodeId: d.noSignalCodeId,
      rules,
    },
  };
}
