import { randomBytes } from 'node:crypto';
import { categoryColours, defaultLongStopMinutes } from '../core/palette.js';
import { NO_DATA_COLOUR } from '../core/state/built-in-codes.js';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { ActivityCodeEntity, GroupEntity, ShiftPatternEntity, SiteSettingsEntity, UserEntity } from './entities/index.js';

export interface SeedOptions {
  adminPassword?: string | undefined;
  timezone: string;
  hashSecret: (secret: string) => Promise<string>;
  logger: Logger;
}

/**
 * First start (docs/api.md): the four built-in codes with their DigitME2 ids and No data (5, flagged no signal: docs/oee.md "No data") (the stops with cause `other`:
 * an unexplained Down and Closed belong to no cause of their own), group 1, the "9-5" pattern
 * and site settings; and, while there are no users, `admin` with OEE_ADMIN_PASSWORD or a random
 * password printed once. Runs under the migration lock, so it happens exactly once.
 */
export async function seed(dataSource: DataSource, options: SeedOptions): Promise<void> {
  await dataSource.transaction(async (tx) => {
    if (!(await tx.existsBy(SiteSettingsEntity, { id: 1 }))) {
      await tx.insert(SiteSettingsEntity, {
        id: 1,
        timezone: options.timezone,
        microStopSeconds: 0,
        longStopMinutes: defaultLongStopMinutes,
      });
      await tx.insert(ActivityCodeEntity, [
        {
          id: 1,
          shortDescription: 'Up',
          longDescription: 'The machine is in use',
          category: 'running',
          cause: null,
          colour: categoryColours.running,
          active: true,
        },
        {
          id: 2,
          shortDescription: 'Down',
          longDescription: "Downtime that doesn't have an explanation from the user",
          category: 'unplanned_stop',
          cause: 'other',
          colour: categoryColours.unplanned_stop,
          active: true,
        },
        {
          id: 3,
          shortDescription: 'Closed',
          longDescription: 'Planned downtime outside of shift hours',
          category: 'planned_shutdown',
          cause: 'other',
          colour: categoryColours.planned_shutdown,
          active: true,
        },
        {
          id: 4,
          shortDescription: 'Overtime',
          longDescription: 'Uptime outside of shift hours (kept for compatibility)',
          category: 'running',
          cause: null,
          colour: categoryColours.running,
          active: true,
        },
        {
          id: 5,
          shortDescription: 'No data',
          longDescription: 'The machine sent nothing for longer than its heartbeat interval',
          category: 'unplanned_stop',
          cause: 'other',
          colour: NO_DATA_COLOUR,
          active: true,
          builtIn: 'no_data',
          flag: 'no_signal',
        },
      ]);
      await tx.insert(GroupEntity, { id: 1, name: 'Group 1' });
      await tx.insert(ShiftPatternEntity, {
        id: 1,
        name: '9-5',
        shifts: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '17:00' }],
        exceptions: [],
      });
      // Rows were inserted with explicit ids: move the sequences past them.
      for (const table of ['activity_codes', 'groups', 'shift_patterns']) {
        await tx.query(`SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), (SELECT MAX(id) FROM "${table}"))`);
      }
    }
    if ((await tx.count(UserEntity)) === 0) {
      const generated = !options.adminPassword;
      const password = options.adminPassword ?? randomBytes(12).toString('base64url');
      await tx.insert(UserEntity, { username: 'admin', role: 'admin', passwordHash: await options.hashSecret(password), pinHash: null });
      if (generated) {
        // Printed once, on purpose (docs/api.md): there is no default password.
        process.stdout.write(
          `\n  OEE Monitor: created user "admin" with password  ${password}\n  Sign in and change it, or set OEE_ADMIN_PASSWORD before the first start.\n\n`,
        );
      } else {
        options.logger.info('created user "admin" with the password from OEE_ADMIN_PASSWORD');
      }
    }
  });
}
