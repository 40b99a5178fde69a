import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { MachineEntity } from './machine.entity.js';
import { UserEntity } from './user.entity.js';

/**
 * An operator tablet: either our web tablet page (identified by a token, stored as SHA-256) or a
 * DigitME2 Android app (identified by the device UUID it made on first run).
 */
@Entity('tablets')
export class TabletEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Index('tablets_name_unique', { unique: true })
  @Column('text')
  name: string;

  @Index('tablets_machine_id')
  @Column('int', { nullable: true })
  machineId: number | null;

  @ManyToOne(() => MachineEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'machineId' })
  machine?: MachineEntity;

  @Index('tablets_token_hash_unique', { unique: true, where: '"tokenHash" IS NOT NULL' })
  @Column('text', { nullable: true })
  tokenHash: string | null;

  @Index('tablets_device_uuid_unique', { unique: true, where: '"deviceUuid" IS NOT NULL' })
  @Column('text', { nullable: true })
  deviceUuid: string | null;

  /** The operator signed in on this tablet, if any. */
  @Column('int', { nullable: true })
  operatorId: number | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'operatorId' })
  operator?: UserEntity;

  @Column('timestamptz', { nullable: true })
  operatorSince: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
