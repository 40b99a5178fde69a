import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ActivityCodeEntity } from './activity-code.entity.js';
import { MachineEntity } from './machine.entity.js';

export type EventSource = 'device' | 'api' | 'legacy' | 'tablet' | 'scheduler' | 'correction' | 'job' | 'mqtt';

/**
 * An immutable state change: "from `at` on, the machine was in this code". The timeline is projected
 * from these. A correction is an event with `until` set: the code holds over [at, until) only.
 */
@Entity('state_events')
@Index('state_events_machine_event_id_unique', ['machineId', 'eventId'], { unique: true, where: '"eventId" IS NOT NULL' })
@Index('state_events_machine_at', ['machineId', 'at', 'id'])
@Index('state_events_machine_until', ['machineId', 'until'], { where: '"until" IS NOT NULL' })
export class StateEventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column('int')
  machineId: number;

  @ManyToOne(() => MachineEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'machineId' })
  machine?: MachineEntity;

  @Column('timestamptz')
  at: Date;

  /** Set only for corrections: the code holds over [at, until), then the earlier history resumes. */
  @Column('timestamptz', { nullable: true })
  until: Date | null;

  @Column('int')
  activityCodeId: number;

  @ManyToOne(() => ActivityCodeEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'activityCodeId' })
  activityCode?: ActivityCodeEntity;

  @Column('text')
  source: EventSource;

  /** Who sent it (core/live-window `Sender.label`: `api-key:7`, `tablet:3`, `user:2`, ...); null before senders were recorded. */
  @Column('text', { nullable: true })
  sender: string | null;

  @Column('int', { nullable: true })
  operatorId: number | null;

  /** The caller's id for the event: a retry with the same id is a harmless duplicate. */
  @Column('text', { nullable: true })
  eventId: string | null;

  @Column('timestamptz', { default: () => 'now()' })
  receivedAt: Date;

  /** Set only for corrections: when the correction was made, by the app's clock (when a stop got its reason). */
  @Column('timestamptz', { nullable: true })
  correctedAt: Date | null;
}
