import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AlertEntity } from './alert.entity.js';

/**
 * One notification of one alert level to one target (a webhook, an e-mail address): the durable job and
 * its delivery log. Unique per (alert, level, channel, target); workers claim due rows with FOR UPDATE
 * SKIP LOCKED, so two instances never send the same row at once.
 */
@Entity('alert_deliveries')
@Index('alert_deliveries_target', ['alertId', 'level', 'channel', 'target'], { unique: true })
@Index('alert_deliveries_due', ['status', 'nextAttemptAt'])
export class AlertDeliveryEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column('int')
  alertId: number;

  @ManyToOne(() => AlertEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'alertId' })
  alert?: AlertEntity;

  @Column('int')
  level: number;

  @Column('text')
  channel: 'webhook' | 'email';

  /** The webhook's id (as text) or the e-mail address. */
  @Column('text')
  target: string;

  /** What is sent, fixed when the delivery is created: every retry sends the same body. */
  @Column('jsonb')
  payload: Record<string, unknown>;

  @Column('text', { default: 'pending' })
  status: 'pending' | 'delivered' | 'failed';

  @Column('int', { default: 0 })
  attempts: number;

  @Column('timestamptz', { nullable: true })
  nextAttemptAt: Date | null;

  @Column('timestamptz', { nullable: true })
  lastAttemptAt: Date | null;

  @Column('int', { nullable: true })
  responseStatus: number | null;

  @Column('text', { nullable: true })
  lastError: string | null;

  @Column('timestamptz', { nullable: true })
  deliveredAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
