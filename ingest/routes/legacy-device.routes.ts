import { AppError } from '../../core/errors.js';
import { senderOf } from '../../core/live-window.js';
import { legacyStateChangeSchema } from '../../core/schemas/shop-floor.schema.js';
import { BUILT_IN_CODES } from '../../core/state/built-in-codes.js';
import { legacyRefusalStatus, legacyStateToCode, upWithoutJobMessage } from '../../core/state/machine-state.rules.js';
import { legacyNetworkDescription, legacyRequestAdmitted } from '../../core/net/legacy-network.js';
import type { RouteTable } from '../http/route.js';
import type { AppServices } from '../../services/app-services.js';

/**
 * DigitME2's device API (docs/digitme2.md), at the root path. Its devices send no credentials, so the
 * state-change route accepts anonymous calls from loopback and private networks only (OEE_LEGACY_ANONYMOUS);
 * anyone else needs a key with a shop-floor role.
 */
export const LEGACY_DEVICE_PATHS = ['/api/machine-state-change'];

export function registerLegacyDeviceRoutes(routes: RouteTable, deps: AppServices): void {
  const anonymous = deps.legacyAnonymous;
  routes.add({
    method: 'post',
    path: '/api/machine-state-change',
    access: 'shopFloor',
    tag: 'legacy',
    body: legacyStateChangeSchema,
    summary: 'DigitME2 device state change: machine_state 1 = Up, anything else = Down; activity_code_id wins.',
    anonymousWhen: { description: `from ${legacyNetworkDescription(anonymous)}`, test: (req) => legacyRequestAdmitted(req, anonymous) },
    handler: async ({ body, res, auth }) => {
      const activityCodeId =
        body.activity_code_id ??
        legacyStateToCode(body.machine_state ?? 0, { upCodeId: BUILT_IN_CODES.up, downCodeId: BUILT_IN_CODES.down });
      if (body.activity_code_id === undefined && body.machine_state === undefined) {
        throw AppError.invalid('Give machine_state or activity_code_id', [
          { path: ['machine_state'], message: 'required without activity_code_id' },
        ]);
      }
      const operatorId = body.user_id !== undefined && body.user_id > 0 ? body.user_id : undefined;
      // A device may name the operator; one that does not exist is the caller's mistake, not ours.
      if (operatorId !== undefined && !(await deps.users.isActive(operatorId))) {
        throw AppError.invalid(`Unknown user ${operatorId}`, [{ path: ['user_id'], message: 'no user with this id' }]);
      }
      await deps.stateEvents
        .record(
          [{ machineId: body.machine_id, activityCodeId, sender: senderOf(auth), ...(operatorId !== undefined ? { operatorId } : {}) }],
          'legacy',
        )
        .catch((err: unknown) => {
          // The shared rule answers 409; DigitME2 answered the Up code with 400 and its devices may rely on it.
          if (
            err instanceof AppError &&
            err.code === 'conflict' &&
            err.message === upWithoutJobMessage &&
            legacyRefusalStatus(activityCodeId, BUILT_IN_CODES.up) === 400
          ) {
            throw AppError.invalid(upWithoutJobMessage, [
              {
                path: [body.activity_code_id === undefined ? 'machine_state' : 'activity_code_id'],
                message: 'no job is active on this machine',
              },
            ]);
          }
          throw err;
        });
      res.status(200).json({ success: true });
    },
    raw: true,
  });
}
