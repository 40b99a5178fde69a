import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Small durable markers of the scheduler, e.g. up to when shift boundaries were applied. */
@Entity('scheduler_state')
export class SchedulerStateEntity {
  @PrimaryColumn('text')
  key: string;

  @Column('timestamptz')
  value: Date;
}
