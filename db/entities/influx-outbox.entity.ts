import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Points for InfluxDB, written in the same transaction as the data they describe and shipped by the
 * relay in id order. Delivered rows are deleted by housekeeping.
 */
@Entity('influx_outbox')
@Index('influx_outbox_pending', ['id'], { where: '"deliveredAt" IS NULL' })
export class InfluxOutboxEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column('int')
  machineId: number;

  @Column('text')
  measurement: string;

  @Column('jsonb')
  tags: Record<string, string>;

  @Column('jsonb')
  fields: Record<string, number | string | boolean>;

  @Column('timestamptz')
  at: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { nullable: true })
  deliveredAt: Date | null;
}
