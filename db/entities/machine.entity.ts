import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { JobStartInputType, WorkflowType } from '../../core/schemas/setup.schema.js';
import { ActivityCodeEntity } from './activity-code.entity.js';
import { GroupEntity } from './group.entity.js';
import { ShiftPatternEntity } from './shift-pattern.entity.js';

@Entity('machines')
@Check('machines_workflow_type_valid', `"workflowType" IN ('default','pausable','running_total')`)
@Check('machines_job_number_input_type_valid', `"jobNumberInputType" IN ('text','number')`)
@Check('machines_job_start_autofill_positive', `"jobStartAutofill" IS NULL OR "jobStartAutofill" > 0`)
export class MachineEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Index('machines_name_unique', { unique: true })
  @Column('text')
  name: string;

  @Index('machines_group_id')
  @Column('int', { nullable: true })
  groupId: number | null;

  @ManyToOne(() => GroupEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'groupId' })
  group?: GroupEntity;

  /** null = planned 24/7. */
  @Column('int', { nullable: true })
  shiftPatternId: number | null;

  @ManyToOne(() => ShiftPatternEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'shiftPatternId' })
  shiftPattern?: ShiftPatternEntity;

  @Column('text', { default: 'default' })
  workflowType: WorkflowType;

  @Column('text', { default: 'cycle_time_seconds' })
  jobStartInputType: JobStartInputType;

  @Column('text', { default: 'text' })
  jobNumberInputType: 'text' | 'number';

  /**
   * Pre-filled in the tablet's job-start input, in the unit of `jobStartInputType` (40 with parts_per_hour
   * is 40 parts/h); null leaves it empty. DigitME2's "Enable Autofill" checkbox and amount in one
   * (docs/digitme2.md). Only the one-number input types have a field to fill.
   */
  @Column('double precision', { nullable: true })
  jobStartAutofill: number | null;

  /** The code a machine goes into when a job starts (default Up). */
  @Column('int', { default: 1 })
  jobStartActivityCodeId: number;

  @ManyToOne(() => ActivityCodeEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'jobStartActivityCodeId' })
  jobStartActivityCode?: ActivityCodeEntity;

  @Column('boolean', { default: true })
  endJobOnShiftEnd: boolean;

  /** Codes not offered on this machine's tablet. */
  @Column('int', { array: true, default: () => `'{}'` })
  excludedActivityCodeIds: number[];

  @Column('boolean', { default: true })
  active: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
