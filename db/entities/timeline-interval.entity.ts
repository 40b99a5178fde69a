import { Check, Column, Entity, Exclusion, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One span of one machine state: the projection of the state events. Never edited by hand; the
 * projector rewrites the affected part. The exclusion constraint makes overlaps impossible.
 */
@Entity('timeline_intervals')
@Index('timeline_intervals_machine_start', ['machineId', 'start'])
@Index('timeline_intervals_one_open_per_machine', ['machineId'], { unique: true, where: '"end" IS NULL' })
@Exclusion('timeline_intervals_no_overlap', `USING gist ("machineId" WITH =, tstzrange("start", "end") WITH &&)`)
@Check('timeline_intervals_end_after_start', `"end" IS NULL OR "end" > "start"`)
export class TimelineIntervalEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column('int')
  machineId: number;

  @Column('timestamptz')
  start: Date;

  /** null for the open (current) interval. */
  @Column('timestamptz', { nullable: true })
  end: Date | null;

  @Column('int')
  activityCodeId: number;

  @Column('int', { nullable: true })
  jobId: number | null;

  @Column('int', { nullable: true })
  operatorId: number | null;
}
