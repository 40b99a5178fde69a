import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { MappingRules } from '../../core/schemas/mqtt.schema.js';

/** An MQTT mapping (core/schemas/mqtt.schema.ts, docs/mqtt.md): a topic filter, its machine, how payloads read. */
@Entity('mqtt_mappings')
export class MqttMappingEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Index('mqtt_mappings_name_unique', { unique: true })
  @Column('text')
  name: string;

  @Column('boolean', { default: true })
  enabled: boolean;

  @Column('text')
  topicFilter: string;

  /** The machine of every matching topic; null when `machineLevel` names it. */
  @Column('int', { nullable: true })
  machineId: number | null;

  @Column('int', { nullable: true })
  machineLevel: number | null;

  @Column('int', { nullable: true })
  noSignalCodeId: number | null;

  @Column('jsonb')
  rules: MappingRules;
}

/** The last value of a cumulative counter, per mapping and source (topic or Sparkplug device and metric). */
@Entity('mqtt_counters')
export class MqttCounterEntity {
  @PrimaryColumn('int')
  mappingId: number;

  @PrimaryColumn('text')
  key: string;

  @Column('double precision')
  value: number;

  /** The time of the reading that set it: an older message (a late redelivery) leaves the counter alone. */
  @Column('timestamptz')
  at: Date;
}

/** The one MQTT subscriber of the cluster: whoever holds this row, until it expires (services/mqtt/lease.ts). */
@Entity('mqtt_lease')
export class MqttLeaseEntity {
  @PrimaryColumn('text')
  name: string;

  @Column('text')
  holder: string;

  @Column('timestamptz')
  expiresAt: Date;
}
