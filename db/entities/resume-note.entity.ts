import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ActivityCodeEntity } from './activity-code.entity.js';
import { JobEntity } from './job.entity.js';
import { MachineEntity } from './machine.entity.js';

/**
 * What an operator wrote when resuming a paused job (pausable workflow), placed on the timeline: the pause
 * it explains ([pausedAt, resumedAt)) and the reason it was given. The job's `notes` keep DigitME2's text
 * line as well ("HH:MM - reason - notes"); these rows are what the machine page shows.
 */
@Entity('resume_notes')
@Index('resume_notes_machine_paused', ['machineId', 'pausedAt'])
@Index('resume_notes_job', ['jobId'])
@Check('resume_notes_resumed_after_paused', `"resumedAt" >= "pausedAt"`)
export class ResumeNoteEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column('int')
  jobId: number;

  @ManyToOne(() => JobEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'jobId' })
  job?: JobEntity;

  @Column('int')
  machineId: number;

  @ManyToOne(() => MachineEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'machineId' })
  machine?: MachineEntity;

  @Column('timestamptz')
  pausedAt: Date;

  @Column('timestamptz')
  resumedAt: Date;

  /** The stop code the pause was given when resuming. */
  @Column('int')
  activityCodeId: number;

  @ManyToOne(() => ActivityCodeEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'activityCodeId' })
  activityCode?: ActivityCodeEntity;

  @Column('text')
  notes: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
