/**
 * MQTT topic filters (MQTT 3.1.1 §4.7): levels split by `/`, `+` one whole level, `#` the rest (last level only,
 * and it also matches the parent: `a/#` matches `a`). Topics beginning with `$` are not matched by a filter that
 * begins with a wildcard.
 */
export function filterError(filter: string): string | null {
  if (filter.length === 0) return 'empty';
  if (filter.length > 512) return 'longer than 512 characters';
  if (filter.includes('\u0000')) return 'contains NUL';
  const levels = filter.split('/');
  for (const [i, level] of levels.entries()) {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return '`#` must be the whole last level';
    if (level.includes('+') && level !== '+') return '`+` must be a whole level';
  }
  return null;
}

export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** The topic's level `index` (0-based), or null when it has fewer levels. */
export function topicLevel(topic: string, index: number): string | null {
  const level = topic.split('/')[index];
  return level === undefined || level === '' ? null : level;
}
