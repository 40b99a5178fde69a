import { describe, expect, it } from 'vitest';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH, unstorableTextIssues } from './storable-text.js';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const bytes = (s: string) => new TextEncoder().encode(s);

describe('jsonNestsDeeperThan', () => {
  it('allows 32 levels and refuses 33', () => {
    expect(jsonNestsDeeperThan(bytes(nested(MAX_JSON_DEPTH)))).toBe(false);
    expect(jsonNestsDeeperThan(bytes(nested(MAX_JSON_DEPTH + 1)))).toBe(true);
    expect(jsonNestsDeeperThan(bytes(`{"a":${nested(40)}}`))).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(jsonNestsDeeperThan(bytes(JSON.stringify({ s: '['.repeat(100), t: 'say \\"[[[[' + '{'.repeat(50) })))).toBe(false);
  });
});

describe('unstorableTextIssues', () => {
  it('names the path of a NUL and of a broken key', () => {
    expect(unstorableTextIssues({ a: [{ b: 'x\u0000' }], ['k\uD800']: 1 })).toEqual([
      { path: ['a', 0, 'b'], message: 'contains a NUL character or broken Unicode' },
      { path: ['k\uD800'], message: 'a key contains a NUL character or broken Unicode' },
    ]);
  });

  it('refuses values nested deeper than 32 levels without recursing through them', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const issues = unstorableTextIssues(deep);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toBe('nested deeper than 32 levels');
    expect(issues[0]!.path).toHaveLength(32);
  });

  it('accepts 32 levels', () => {
    let ok: unknown = 'leaf';
    for (let i = 0; i < 32; i++) ok = [ok];
    expect(unstorableTextIssues(ok)).toEqual([]);
  });

  it('stops at ten issues', () => {
    expect(unstorableTextIssues(Array.from({ length: 50 }, () => '\u0000'))).toHaveLength(10);
  });
});
