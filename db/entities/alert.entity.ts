import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AlertRuleEntity } from './alert-rule.entity.js';
import { MachineEntity } from './machine.entity.js';

/**
 * One alert: a rule that held for one stop of one machine. (rule, machine, stop start) is unique, so
 * however many evaluations and instances see the stop, it raises one alert. Its response timeline is
 * detectedAt → acknowledgedAt → resolvedAt.
 */
@Entity('alerts')
@Index('alerts_rule_stop', ['ruleId', 'machineId', 'stopStart'], { unique: true })
@Index('alerts_machine_stop', ['machineId', 'stopStart'])
export class AlertEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column('int')
  ruleId: number;

  @ManyToOne(() => AlertRuleEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ruleId' })
  rule?: AlertRuleEntity;

  @Column('int')
  machineId: number;

  @ManyToOne(() => MachineEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'machineId' })
  machine?: MachineEntity;

  /** The stop's code (reason) when it was detected. */
  @Column('int', { nullable: true })
  activityCodeId: number | null;

  @Column('timestamptz')
  stopStart: Date;

  @Column('timestamptz')
  detectedAt: Date;

  /** The ladder rung reached (1 = first notification). */
  @Column('int')
  level: number;

  @Column('timestamptz', { nullable: true })
  acknowledgedAt: Date | null;

  @Column('text', { nullable: true })
  acknowledgedBy: string | null;

  @Column('timestamptz', { nullable: true })
  resolvedAt: Date | null;

  /** Who resolved it; null when the stop's end resolved it. */
  @Column('text', { nullable: true })
  resolvedBy: string | null;

  @Column('text', { nullable: true })
  note: string | null;
}
