import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { legacyDayQuerySchema } from '../../core/schemas/oee.schema.js';
import { legacyNetworkDescription, legacyRequestAdmitted } from '../../core/net/legacy-network.js';
import type { RouteTable } from '../http/route.js';
import type { AppServices } from '../../services/app-services.js';

/**
 * The read routes of DigitME2 (docs/digitme2.md): `GET /api/oee` and `GET /api/activity-durations`
 * for one machine and one site-local day. DigitME2 served them without credentials and integrations
 * call them that way, so callers without credentials are admitted under the legacy network rule
 * (OEE_LEGACY_ANONYMOUS, as the device and tablet routes); anyone else needs a key or a session. A bad,
 * unknown or future machine or date is a 400, as in the original (which answered a future date with a 500).
 */
export const LEGACY_OEE_PATHS = ['/api/oee', '/api/activity-durations'];

export function registerLegacyOeeRoutes(routes: RouteTable, deps: AppServices): void {
  const mode = deps.legacyAnonymous;
  const { reports } = deps;
  const anonymousWhen = {
    description: `from ${legacyNetworkDescription(mode)}`,
    test: (req: Parameters<typeof legacyRequestAdmitted>[0]) => legacyRequestAdmitted(req, mode),
  };
  const day = async (query: z.output<typeof legacyDayQuerySchema>) => {
    const range = await reports.siteDay(query.date);
    if (range.future) throw AppError.invalid('The date is in the future', [{ path: ['date'], message: 'must not be after today' }]);
    return range;
  };
  const unknownMachine = (err: unknown, machineId: number) => {
    if (err instanceof AppError && err.status === 404) {
      return AppError.invalid(`Unknown machine ${machineId}`, [{ path: ['machine_id'], message: 'no machine with this id' }]);
    }
    return err;
  };

  routes.add({
    method: 'get',
    path: '/api/oee',
    access: 'signedIn',
    anonymousWhen,
    tag: 'legacy',
    summary: "A machine's OEE (0..1) for one site-local day (to now for today); 0 where it is undefined",
    query: legacyDayQuerySchema,
    response: z.number(),
    handler: async ({ query }) => {
      const { from, to } = await day(query);
      const result = await deps.oee.machineOee(query.machine_id, from, to).catch((err) => {
        throw unknownMachine(err, query.machine_id);
      });
      return result.oee ?? 0;
    },
  });

  routes.add({
    method: 'get',
    path: '/api/activity-durations',
    access: 'signedIn',
    anonymousWhen,
    tag: 'legacy',
    summary: 'Seconds a machine spent in each activity code (every code present) on one site-local day',
    query: legacyDayQuerySchema,
    response: z.record(z.string(), z.number()),
    handler: async ({ query }) => {
      const { from, to } = await day(query);
      const durations = await reports.machineActivityDurations(query.machine_id, from, to).catch((err) => {
        throw unknownMachine(err, query.machine_id);
      });
      return Object.fromEntries(durations.map((d) => [String(d.activityCodeId), d.seconds]));
    },
  });
}
