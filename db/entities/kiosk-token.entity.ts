import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { GroupEntity } from './group.entity.js';

/** A read-only credential for a wall screen, optionally narrowed to one group. */
@Entity('kiosk_tokens')
export class KioskTokenEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Index('kiosk_tokens_name_unique', { unique: true })
  @Column('text')
  name: string;

  @Column('int', { nullable: true })
  groupId: number | null;

  @ManyToOne(() => GroupEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'groupId' })
  group?: GroupEntity;

  @Index('kiosk_tokens_token_hash_unique', { unique: true })
  @Column('text')
  tokenHash: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
