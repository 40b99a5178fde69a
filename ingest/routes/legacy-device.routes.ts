import { isIP } from 'node:net';
import type { Request } from 'express';
import { AppError } from '../../core/errors.js';
import { legacyStateChangeSchema } from '../../core/schemas/shop-floor.schema.js';
import { BUILT_IN_CODES } from '../../core/state/built-in-codes.js';
import { legacyRefusalStatus, legacyStateToCode, upWithoutJobMessage } from '../../core/state/machine-state.rules.js';
import type { RouteTable } from '../http/route.js';
import type { IngestDeps } from '../ingest-deps.js';

/**
 * DigitME2's device API (legacy-api.md), at the root path. Its devices send no credentials, so the
 * state-change route accepts anonymous calls from loopback and private networks only (OEE_LEGACY_ANONYMOUS);
 * anyone else needs a key with a shop-floor role.
 */
export function registerLegacyDeviceRoutes(routes: RouteTable, deps: IngestDeps, anonymous: 'private' | 'loopback' | 'off'): void {
  routes.add({
    method: 'post', path: '/api/machine-state-change', access: 'shopFloor', tag: 'legacy', body: legacyStateChangeSchema,
    summary: 'DigitME2 device state change: machine_state 1 = Up, anything else = Down; activity_code_id wins.',
    anonymousWhen: { description: `from ${anonymous === 'off' ? 'nowhere (OEE_LEGACY_ANONYMOUS=off)' : anonymous === 'loopback' ? 'loopback only' : 'loopback and private networks'}`, test: (req) => anonymousAllowed(req, anonymous) },
    handler: async ({ body, res }) => {
      const activityCodeId = body.activity_code_id ?? legacyStateToCode(body.machine_state ?? 0, { upCodeId: BUILT_IN_CODES.up, downCodeId: BUILT_IN_CODES.down });
      if (body.activity_code_id === undefined && body.machine_state === undefined) {
        throw AppError.invalid('Give machine_state or activity_code_id', [{ path: ['machine_state'], message: 'required without activity_code_id' }]);
      }
      await deps.stateEvents
        .record([{ machineId: body.machine_id, activityCodeId, ...(body.user_id !== undefined && body.user_id > 0 ? { operatorId: body.user_id } : {}) }], 'legacy')
        .catch((err: unknown) => {
          // The shared rule answers 409; DigitME2 answered the Up code with 400 and its devices may rely on it.
          if (err instanceof AppError && err.code === 'conflict' && err.message === upWithoutJobMessage && legacyRefusalStatus(activityCodeId, BUILT_IN_CODES.up) === 400) {
            throw AppError.invalid(upWithoutJobMessage, [{ path: [body.activity_code_id === undefined ? 'machine_state' : 'activity_code_id'], message: 'no job is active on this machine' }]);
          }
          throw err;
        });
      res.status(200).json({ success: true });
    },
    raw: true,
  });
}

/** Loopback, RFC 1918, link-local, CGNAT and IPv6 unique-local addresses. */
export function isPrivateAddress(address: string): boolean {
  const ip = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(ip) === 4) {
    const [a, b] = ip.split('.').map(Number) as [number, number];
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  const lower = ip.toLowerCase();
  return lower === '::1' || lower.startsWith('fc') || lower.startsWith('fd') || lower.startsWith('fe80');
}

export function isLoopbackAddress(address: string): boolean {
  const ip = address.startsWith('::ffff:') ? address.slice(7) : address;
  return ip === '::1' || ip.startsWith('127.');
}

function anonymousAllowed(req: Request, mode: 'private' | 'loopback' | 'off'): boolean {
  const address = req.ip ?? req.socket.remoteAddress ?? '';
  if (mode === 'off') return false;
  return mode === 'loopback' ? isLoopbackAddress(address) : isPrivateAddress(address);
}
