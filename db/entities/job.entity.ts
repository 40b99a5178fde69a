import { Check, Column, Entity, Exclusion, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { MachineEntity } from './machine.entity.js';

/** A job (production order) on a machine. At most one runs per machine; jobs of one machine never overlap. */
@Entity('jobs')
@Index('jobs_one_running_per_machine', ['machineId'], { unique: true, where: '"end" IS NULL' })
@Index('jobs_machine_start', ['machineId', 'start'])
@Exclusion('jobs_no_overlap', `USING gist ("machineId" WITH =, tstzrange("start", "end") WITH &&)`)
@Check('jobs_end_after_start', `"end" IS NULL OR "end" >= "start"`)
@Check('jobs_ideal_cycle_time_positive', `"idealCycleTimeSeconds" IS NULL OR "idealCycleTimeSeconds" > 0`)
export class JobEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column('int')
  machineId: number;

  @ManyToOne(() => MachineEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'machineId' })
  machine?: MachineEntity;

  @Column('text')
  jobNumber: string;

  @Column('timestamptz')
  start: Date;

  /** null while running. */
  @Column('timestamptz', { nullable: true })
  end: Date | null;

  /** Ideal seconds per part; null = no cycle time (the job is left out of performance). */
  @Column('double precision', { nullable: true })
  idealCycleTimeSeconds: number | null;

  @Column('int', { nullable: true })
  operatorId: number | null;

  /** Pause/resume reasons and notes (pausable workflow). */
  @Column('text', { default: '' })
  notes: string;
}
