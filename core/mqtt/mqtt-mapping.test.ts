import { describe, expect, it } from 'vitest';
import { mqttMappingInputSchema } from '../schemas/mqtt.schema.js';
import { fieldAt, readJsonPayload } from './json-mapping.js';
import { countIncrement, readTime } from './readings.js';
import { followSeq, metricsByName, newEdgeSession, learnAliases, parseSparkplugTopic } from './sparkplug.js';
import { filterError, topicLevel, topicMatches } from './topic.js';

describe('topic filters', () => {
  it('matches + and # as MQTT does', () => {
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/b/d')).toBe(false);
    expect(topicMatches('a/#', 'a')).toBe(true);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+', 'a/b/c')).toBe(false);
    expect(topicMatches('#', '$SYS/x')).toBe(false);
    expect(topicLevel('plant/press-1/status', 1)).toBe('press-1');
    expect(topicLevel('plant', 3)).toBe(null);
    expect([filterError('a/#/b'), filterError('a/b+'), filterError(''), filterError('a/+/#')]).toEqual([
      '`#` must be the whole last level',
      '`+` must be a whole level',
      'empty',
      null,
    ]);
  });
});

describe('JSON payloads', () => {
  const rules = mqttMappingInputSchema.parse({
    name: 'x',
    topicFilter: 'a/b',
    machineId: 1,
    rules: {
      format: 'json',
      statePath: 'd.s',
      stateCodes: { '1': 1, RUN: 1, false: 2 },
      timePath: 't',
      goodPath: 'c.0',
      counts: 'counter',
    },
  }).rules;

  it('reads the state by the code table, the time and the counts', () => {
    expect(fieldAt({ a: [{ b: 3 }] }, 'a.0.b')).toBe(3);
    if (rules.format !== 'json') throw new Error('json rules');
    expect(readJsonPayload(rules, JSON.stringify({ d: { s: 1 }, t: 1_795_000_000, c: [12] }))).toEqual({
      ok: true,
      reading: {
        at: new Date(1_795_000_000_000),
        activityCodeId: 1,
        unknownState: null,
        good: { mode: 'counter', value: 12 },
        rejects: null,
      },
    });
    expect(readJsonPayload(rules, JSON.stringify({ d: { s: false } }))).toMatchObject({
      ok: true,
      reading: { activityCodeId: 2, at: null },
    });
    expect(readJsonPayload(rules, JSON.stringify({ d: { s: 'IDLE' } }))).toMatchObject({ ok: true, reading: { unknownState: 'IDLE' } });
    expect(readJsonPayload(rules, '{')).toEqual({ ok: false, reason: 'the payload is not JSON' });
    expect(readJsonPayload(rules, JSON.stringify({ t: 'soon' }))).toEqual({ ok: false, reason: 'the time field t is not a time' });
    expect(readTime('2026-11-24T08:00:00Z')).toEqual(new Date('2026-11-24T08:00:00Z'));
  });

  it('counts increments as they come and cumulative counters from the last value, a drop being a reset', () => {
    expect(countIncrement({ mode: 'increment', value: 3 }, null)).toEqual({ increment: 3, next: null, reset: false });
    expect(countIncrement({ mode: 'counter', value: 100 }, null)).toEqual({ increment: 0, next: 100, reset: false });
    expect(countIncrement({ mode: 'counter', value: 110 }, 100)).toEqual({ increment: 10, next: 110, reset: false });
    expect(countIncrement({ mode: 'counter', value: 4 }, 110)).toEqual({ increment: 4, next: 4, reset: true });
  });
});

describe('Sparkplug B', () => {
  it('parses topics, learns aliases from births and logs gaps in seq', () => {
    expect(parseSparkplugTopic('spBv1.0/g/DDATA/e/d')).toEqual({ group: 'g', type: 'DDATA', edge: 'e', device: 'd' });
    expect(parseSparkplugTopic('spBv1.0/g/NDEATH/e')).toEqual({ group: 'g', type: 'NDEATH', edge: 'e', device: null });
    expect(parseSparkplugTopic('spBv1.0/g/OTHER/e')).toBe(null);
    const session = newEdgeSession();
    const birth = { timestamp: 1, seq: 0, metrics: [{ name: 'State', alias: 7, value: 1, timestamp: null }] };
    learnAliases(session, birth);
    expect(followSeq(session, 'NBIRTH', 0)).toBe(null);
    expect(followSeq(session, 'DDATA', 1)).toBe(null);
    expect(followSeq(session, 'DDATA', 3)).toEqual({ expected: 2, got: 3 });
    expect(followSeq(session, 'NDEATH', 9)).toBe(null);
    session.lastSeq = 255;
    expect(followSeq(session, 'DDATA', 0)).toBe(null);
    const data = {
      timestamp: 2,
      seq: 1,
      metrics: [
        { name: null, alias: 7, value: 0, timestamp: null },
        { name: null, alias: 8, value: 5, timestamp: null },
      ],
    };
    expect([...metricsByName(session, data).keys()]).toEqual(['State']);
  });
});
