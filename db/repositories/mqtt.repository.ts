import type { DataSource } from 'typeorm';
import { MachineEntity, MqttCounterEntity, MqttMappingEntity } from '../entities/index.js';

/** The MQTT bridge's own rows: enabled mappings, counter baselines, the subscriber's lease (docs/mqtt.md). */
export class MqttRepository {
  constructor(private readonly dataSource: DataSource) {}

  enabledMappings(): Promise<MqttMappingEntity[]> {
    return this.dataSource.manager.find(MqttMappingEntity, { where: { enabled: true }, order: { id: 'ASC' } });
  }

  /** Machine ids by name (the names a topic level names). */
  async machineIdsByName(): Promise<Map<string, number>> {
    const rows = await this.dataSource.manager.find(MachineEntity, { select: { id: true, name: true } });
    return new Map(rows.map((m) => [m.name, m.id]));
  }

  /** Every machine with its group's name, and every activity code's name: what published topics and states say. */
  async publishNames(): Promise<{ machines: { id: number; name: string; group: string | null }[]; codes: Map<number, string> }> {
    const machines: { id: number; name: string; group: string | null }[] = await this.dataSource.query(
      `SELECT m.id, m.name, g.name AS "group" FROM machines m LEFT JOIN groups g ON g.id = m."groupId" ORDER BY m.id`,
    );
    const codes: { id: number; shortDescription: string }[] = await this.dataSource.query(
      `SELECT id, "shortDescription" FROM activity_codes`,
    );
    return { machines, codes: new Map(codes.map((c) => [c.id, c.shortDescription])) };
  }

  async counter(mappingId: number, key: string): Promise<{ value: number; at: Date } | null> {
    const row = await this.dataSource.manager.findOneBy(MqttCounterEntity, { mappingId, key });
    return row ? { value: row.value, at: row.at } : null;
  }

  async setCounter(mappingId: number, key: string, value: number, at: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO mqtt_counters ("mappingId", key, value, at) VALUES ($1, $2, $3, $4)
       ON CONFLICT ("mappingId", key) DO UPDATE SET value = EXCLUDED.value, at = EXCLUDED.at`,
      [mappingId, key, value, at],
    );
  }

  /**
   * Takes or renews the lease `name` for `holder` for `ttlMs` (the database's clock, shared by every instance):
   * true when `holder` holds it now. A lease expired by its holder's silence is anyone's.
   */
  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const rows: { holder: string }[] = await this.dataSource.query(
      `INSERT INTO mqtt_lease (name, holder, "expiresAt") VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, "expiresAt" = EXCLUDED."expiresAt"
       WHERE mqtt_lease.holder = EXCLUDED.holder OR mqtt_lease."expiresAt" < now()
       RETURNING holder`,
      [name, holder, ttlMs],
    );
    return rows.length === 1 && rows[0]!.holder === holder;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM mqtt_lease WHERE name = $1 AND holder = $2`, [name, holder]);
  }
}
