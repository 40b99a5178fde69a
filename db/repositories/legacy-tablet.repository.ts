import type { DataSource, EntityManager } from 'typeorm';
import type { Actor, AuditRepository } from './audit.repository.js';
import type { TabletRow } from './tablet-workflow.repository.js';

const TABLET_COLUMNS = `id, name, "machineId", "operatorId", "operatorSince"`;

/** Registration key of DigitME2 tablets: new tablets are registered (and auto-paired) one at a time. */
const REGISTRATION_LOCK = 0x0d1_9e2;

/**
 * DigitME2 Android tablets (docs/digitme2.md): found by the `device_uuid` they made on first run, and
 * registered on their first `/check-state`.
 */
export class LegacyTabletRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRepository,
  ) {}

  async findByUuid(deviceUuid: string): Promise<TabletRow | null> {
    const rows: TabletRow[] = await this.dataSource.query(`SELECT ${TABLET_COLUMNS} FROM tablets WHERE "deviceUuid" = $1`, [deviceUuid]);
    return rows[0] ?? null;
  }

  /**
   * The tablet of this uuid, registered first when unknown as `Tablet <id>`: unpaired, or paired with the
   * first active machine without a tablet when `autoPair` (the site's autoPairTablets). Safe to call
   * concurrently for one uuid (the unique uuid index decides; the loser reads the winner's row).
   * `created` says whether this call registered it.
   */
  async register(deviceUuid: string): Promise<{ tablet: TabletRow; created: boolean }> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock($1)`, [REGISTRATION_LOCK]);
      const existing: TabletRow[] = await tx.query(`SELECT ${TABLET_COLUMNS} FROM tablets WHERE "deviceUuid" = $1`, [deviceUuid]);
      if (existing[0]) return { tablet: existing[0], created: false };
      const [site] = (await tx.query(`SELECT "autoPairTablets" FROM site_settings WHERE id = 1`)) as { autoPairTablets: boolean }[];
      let machineId: number | null = null;
      if (site?.autoPairTablets) {
        const free: { id: number }[] = await tx.query(
          `SELECT m.id FROM machines m WHERE m.active AND NOT EXISTS (SELECT 1 FROM tablets t WHERE t."machineId" = m.id) ORDER BY m.id LIMIT 1`,
        );
        machineId = free[0]?.id ?? null;
      }
      const [{ id }] = (await tx.query(`SELECT nextval(pg_get_serial_sequence('tablets', 'id'))::int AS id`)) as [{ id: number }];
      // An admin may already have named another tablet "Tablet <id>": then the uuid tells them apart.
      const taken: unknown[] = await tx.query(`SELECT 1 FROM tablets WHERE name = $1`, [`Tablet ${id}`]);
      const name = taken.length ? `Tablet ${id} (${deviceUuid.slice(0, 8)})` : `Tablet ${id}`;
      const [tablet] = (await tx.query(
        `INSERT INTO tablets (id, name, "deviceUuid", "machineId") VALUES ($1, $2, $3, $4) RETURNING ${TABLET_COLUMNS}`,
        [id, name, deviceUuid, machineId],
      )) as [TabletRow];
      await this.audit.record(
        tx,
        { userId: null, apiKeyId: null },
        {
          action: 'tablet.register',
          entity: 'tablet',
          entityId: tablet.id,
          machineId,
          after: { name, deviceUuid, machineId, autoPaired: machineId !== null },
        },
      );
      return { tablet, created: true };
    });
  }

  /**
   * Signs the operator out of a tablet that has no machine (the shared sign-out command needs one; this
   * happens when an admin unpairs a tablet while someone is signed in). Audited like the command's sign-out.
   */
  async signOutUnpaired(actor: Actor, tabletId: number): Promise<boolean> {
    return this.dataSource.transaction(async (tx: EntityManager) => {
      const rows: TabletRow[] = await tx.query(`SELECT ${TABLET_COLUMNS} FROM tablets WHERE id = $1 FOR UPDATE`, [tabletId]);
      const tablet = rows[0];
      if (!tablet || tablet.operatorId === null || tablet.machineId !== null) return false;
      await tx.query(`UPDATE tablets SET "operatorId" = NULL, "operatorSince" = NULL WHERE id = $1`, [tabletId]);
      await this.audit.record(tx, actor, {
        action: 'tablet.sign-out',
        entity: 'tablet',
        entityId: tabletId,
        machineId: null,
        before: { operatorId: tablet.operatorId },
        after: { operatorId: null },
      });
      return true;
    });
  }
}
