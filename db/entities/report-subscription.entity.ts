import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { GroupEntity } from './group.entity.js';

/** An e-mail address that gets a group's shift report at each shift end. */
@Entity('report_subscriptions')
@Index('report_subscriptions_group_email', ['groupId', 'email'], { unique: true })
export class ReportSubscriptionEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column('int')
  groupId: number;

  @ManyToOne(() => GroupEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'groupId' })
  group?: GroupEntity;

  @Column('text')
  email: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
