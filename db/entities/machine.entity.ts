import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { JobStartInputType, WorkflowType } from '../../core/schemas/setup.schema.js';
import { ActivityCodeEntity } from './activity-code.entity.js';
import { GroupEntity } from './group.entity.js';
import { ShiftPatternEntity } from './shift-pattern.entity.js';

@Entity('machines')
@Check('machines_workflow_type_valid', `"workflowType" IN ('default','pausable','running_total')`)
@Check('machines_job_number_input_type_valid', `"jobNumberInputType" IN ('text','number')`)
@Check('machines_job_start_autofill_positive', `"jobStartAutofill" IS NULL OR "jobStartAutofill" > 0`)
@Check('machines_heartbeat_positive', `"heartbeatSeconds" IS NULL OR "heartbeatSeconds" > 0`)
@Check('machines_reason_prompt_positive', `"reasonPromptMinutes" IS NULL OR "reasonPromptMinutes" > 0`)
@Check('machines_oee_target_fraction', `"oeeTarget" IS NULL OR ("oeeTarget" > 0 AND "oeeTarget" <= 1)`)
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

  /**
   * Andon (docs/oee.md "No data"): silent longer than this (seconds) puts the machine in No data from its
   * last contact; null = never.
   */
  @Column('int', { nullable: true })
  heartbeatSeconds: number | null;

  /** The latest contact of any of its data sources (flushed every few seconds by services/andon/contacts.ts). */
  @Column('timestamptz', { nullable: true })
  lastContactAt: Date | null;

  /** The first contact after a silence longer than the heartbeat interval: when No data ends. */
  @Column('timestamptz', { nullable: true })
  contactResumedAt: Date | null;

  /** Stops without a reason longer than this (minutes) are prompted; null = the site's setting. */
  @Column('int', { nullable: true })
  reasonPromptMinutes: number | null;

  /** OEE target 0..1; null = the group's, else the site's. */
  @Column('double precision', { nullable: true })
  oeeTarget: number | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
