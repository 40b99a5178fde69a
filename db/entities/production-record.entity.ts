import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { MachineEntity } from './machine.entity.js';

/** Good and reject counts made at an instant (from = to) or over a span [from, to). */
@Entity('production_records')
@Index('production_records_machine_event_id_unique', ['machineId', 'eventId'], { unique: true, where: '"eventId" IS NOT NULL' })
@Index('production_records_machine_from', ['machineId', 'from'])
@Index('production_records_job', ['jobId'])
// GiST on (machineId, tstzrange(from, to, '[]')), made by migration 1795595880000 (TypeORM cannot declare it).
@Index('production_records_machine_span', { synchronize: false })
@Check('production_records_span', `"to" >= "from"`)
@Check('production_records_counts', `"good" >= 0 AND "rejects" >= 0`)
export class ProductionRecordEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column('int')
  machineId: number;

  @ManyToOne(() => MachineEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'machineId' })
  machine?: MachineEntity;

  @Column('int', { nullable: true })
  jobId: number | null;

  @Column('timestamptz')
  from: Date;

  @Column('timestamptz')
  to: Date;

  @Column('int')
  good: number;

  @Column('int')
  rejects: number;

  @Column('text', { nullable: true })
  eventId: string | null;

  @Column('text')
  source: string;

  /** Who sent it, as on state events; null before senders were recorded. */
  @Column('text', { nullable: true })
  sender: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
