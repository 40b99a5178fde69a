import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { AlertLevel, AlertRuleKind, StopCategory } from '../../core/schemas/alerts.schema.js';
import { GroupEntity } from './group.entity.js';
import { MachineEntity } from './machine.entity.js';

/** An alert rule (docs/alerts.md): what it watches, its scope, and its escalation ladder. */
@Entity('alert_rules')
@Index('alert_rules_name', ['name'], { unique: true })
export class AlertRuleEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column('text')
  name: string;

  @Column('text')
  kind: AlertRuleKind;

  @Column('int', { nullable: true })
  machineId: number | null;

  @ManyToOne(() => MachineEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'machineId' })
  machine?: MachineEntity;

  @Column('int', { nullable: true })
  groupId: number | null;

  @ManyToOne(() => GroupEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'groupId' })
  group?: GroupEntity;

  @Column('text', { array: true })
  categories: StopCategory[];

  @Column('int', { array: true, default: () => `'{}'` })
  activityCodeIds: number[];

  @Column('double precision', { nullable: true })
  oeeTarget: number | null;

  /** The ladder: [{afterMinutes, webhookIds, emails}], level 1 first. */
  @Column('jsonb')
  levels: AlertLevel[];

  @Column('boolean', { default: true })
  wall: boolean;

  @Column('boolean', { default: true })
  enabled: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
