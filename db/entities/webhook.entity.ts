import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A webhook receiver of alerts; `secret` signs every request (core/alerts/signature.ts). */
@Entity('webhooks')
@Index('webhooks_name', ['name'], { unique: true })
export class WebhookEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column('text')
  name: string;

  @Column('text')
  url: string;

  @Column('text')
  secret: string;

  @Column('boolean', { default: true })
  enabled: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
