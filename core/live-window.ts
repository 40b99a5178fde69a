import type { AuthContext } from './auth.js';
import type { Role } from './roles.js';

/**
 * How far back shop-floor writes may reach (issue 15, points 2 and 8). A device or tablet writes
 * the present and what it buffered while offline: the site's live window (`liveWindowDays`, 31 by
 * default). Older history is a supervisor's (or an import's) business and is audited. Nobody writes
 * before EARLIEST_WRITE_AT: a clock with a flat battery says 1970, and such a date is never real.
 */
export const EARLIEST_WRITE_AT = new Date('2000-01-01T00:00:00Z');
export const MAX_LIVE_WINDOW_DAYS = 3660;

/** Who sent a write: stored with every state event and production record. */
export interface Sender {
  /** `user:<id>`, `api-key:<id>`, `tablet:<id>`, `mqtt:<mapping id>`, `legacy-device` (DigitME2 device route without a key), `scheduler`. */
  label: string;
  /** May write before the live window: supervisors, admins and the system's own jobs. */
  trusted: boolean;
  /** Named in the audit entry of a back-dated write; null for the system's own writes (never audited). */
  actor: { userId: number | null; apiKeyId: number | null } | null;
}

const TRUSTED_ROLES: readonly Role[] = ['supervisor', 'admin'];

/** The sender behind a request's credentials (a session user or an API key; anonymous = a legacy device). */
export function senderOf(auth: AuthContext | null | undefined): Sender {
  if (!auth || auth.via === 'anonymous') return { label: 'legacy-device', trusted: false, actor: null };
  const trusted = TRUSTED_ROLES.includes(auth.role);
  const actor = { userId: auth.userId, apiKeyId: auth.apiKeyId };
  if (auth.via === 'apiKey' && auth.apiKeyId !== null) return { label: `api-key:${auth.apiKeyId}`, trusted, actor };
  return { label: `user:${auth.userId}`, trusted, actor };
}

/**
 * A supervisor's history edit (corrections, production added by hand): trusted, since only
 * supervisors reach those routes, and not audited as a back-date because the edit has its own entry.
 */
export function editSender(actor: { userId: number | null; apiKeyId: number | null }): Sender {
  return { label: actor.apiKeyId !== null ? `api-key:${actor.apiKeyId}` : `user:${actor.userId}`, trusted: true, actor: null };
}

export function tabletSender(tabletId: number): Sender {
  return { label: `tablet:${tabletId}`, trusted: false, actor: null };
}

/** A message on MQTT, read by mapping `mappingId` (docs/mqtt.md): a device's write, so the live window applies. */
export function mqttSender(mappingId: number): Sender {
  return { label: `mqtt:${mappingId}`, trusted: false, actor: null };
}

export function systemSender(name: 'scheduler'): Sender {
  return { label: name, trusted: true, actor: null };
}

export type WriteTimeVerdict = 'ok' | 'backdated' | 'before-live-window' | 'before-earliest';

/**
 * Where `at` falls for this sender: inside the live window ('ok'), before it and allowed
 * ('backdated': audited unless the system wrote it), before it and refused, or before any real date.
 */
export function judgeWriteTime(at: Date, now: Date, liveWindowDays: number, sender: Sender): WriteTimeVerdict {
  if (at.getTime() < EARLIEST_WRITE_AT.getTime()) return 'before-earliest';
  if (at.getTime() >= liveWindowStart(now, liveWindowDays).getTime()) return 'ok';
  return sender.trusted ? 'backdated' : 'before-live-window';
}

export function liveWindowStart(now: Date, liveWindowDays: number): Date {
  return new Date(now.getTime() - liveWindowDays * 86_400_000);
}
