import { describe, expect, it } from 'vitest';
import type { AuthContext } from './auth.js';
import { editSender, judgeWriteTime, senderOf, systemSender, tabletSender } from './live-window.js';

const NOW = new Date('2026-06-15T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);
const auth = (role: AuthContext['role'], via: AuthContext['via'], ids: { userId?: number; apiKeyId?: number } = {}): AuthContext => ({
  role,
  via,
  userId: ids.userId ?? null,
  apiKeyId: ids.apiKeyId ?? null,
  username: null,
});

describe('senders', () => {
  it('names the credential and trusts supervisors, admins and the system only', () => {
    expect(senderOf(auth('device', 'apiKey', { apiKeyId: 7 }))).toEqual({
      label: 'api-key:7',
      trusted: false,
      actor: { userId: null, apiKeyId: 7 },
    });
    expect(senderOf(auth('operator', 'session', { userId: 3 }))).toMatchObject({ label: 'user:3', trusted: false });
    expect(senderOf(auth('supervisor', 'apiKey', { apiKeyId: 9 }))).toMatchObject({ label: 'api-key:9', trusted: true });
    expect(senderOf(auth('admin', 'session', { userId: 1 }))).toEqual({
      label: 'user:1',
      trusted: true,
      actor: { userId: 1, apiKeyId: null },
    });
    expect(senderOf(auth('device', 'anonymous'))).toEqual({ label: 'legacy-device', trusted: false, actor: null });
    expect(senderOf(null)).toMatchObject({ label: 'legacy-device', trusted: false });
    expect(tabletSender(4)).toEqual({ label: 'tablet:4', trusted: false, actor: null });
    expect(systemSender('scheduler')).toEqual({ label: 'scheduler', trusted: true, actor: null });
    expect(editSender({ userId: 2, apiKeyId: null })).toEqual({ label: 'user:2', trusted: true, actor: null });
  });
});

describe('judgeWriteTime', () => {
  const device = tabletSender(1);
  const supervisor = senderOf(auth('supervisor', 'session', { userId: 2 }));

  it('admits the live window to everyone, the older past to trusted senders only', () => {
    expect(judgeWriteTime(daysAgo(31), NOW, 31, device)).toBe('ok');
    expect(judgeWriteTime(new Date(daysAgo(31).getTime() - 1), NOW, 31, device)).toBe('before-live-window');
    expect(judgeWriteTime(daysAgo(400), NOW, 31, supervisor)).toBe('backdated');
    expect(judgeWriteTime(daysAgo(400), NOW, 500, device)).toBe('ok');
  });

  it('refuses everyone before 2000-01-01', () => {
    expect(judgeWriteTime(new Date('1999-12-31T23:59:59.999Z'), NOW, 31, supervisor)).toBe('before-earliest');
    expect(judgeWriteTime(new Date('0001-01-01T00:00:00Z'), NOW, 100_000, systemSender('scheduler'))).toBe('before-earliest');
    expect(judgeWriteTime(new Date('2000-01-01T00:00:00Z'), NOW, 31, supervisor)).toBe('backdated');
  });
});
