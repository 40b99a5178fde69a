import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { GroupEntity } from './group.entity.js';

/**
 * One group's report of one shift: planned once (unique per group and shift start), sent once by whichever
 * instance claims it (FOR UPDATE SKIP LOCKED), retried while it fails.
 */
@Entity('shift_reports')
@Index('shift_reports_group_shift', ['groupId', 'shiftStart'], { unique: true })
@Index('shift_reports_due', ['status', 'nextAttemptAt'])
export class ShiftReportEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column('int')
  groupId: number;

  @ManyToOne(() => GroupEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'groupId' })
  group?: GroupEntity;

  @Column('timestamptz')
  shiftStart: Date;

  @Column('timestamptz')
  shiftEnd: Date;

  @Column('text', { nullable: true })
  shiftName: string | null;

  @Column('text', { default: 'pending' })
  status: 'pending' | 'sent' | 'failed';

  @Column('int', { default: 0 })
  attempts: number;

  @Column('timestamptz')
  nextAttemptAt: Date;

  @Column('text', { nullable: true })
  lastError: string | null;

  @Column('timestamptz', { nullable: true })
  sentAt: Date | null;

  /** The addresses it went to. */
  @Column('text', { array: true, default: () => `'{}'` })
  recipients: string[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
