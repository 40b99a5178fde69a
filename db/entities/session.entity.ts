import { Column, CreateDateColumn, Entity, Index, ManyToOne, JoinColumn, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from './user.entity.js';

/** A browser sign-in. Only the HMAC of the cookie's token is stored. */
@Entity('sessions')
export class SessionEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Index('sessions_token_hash_unique', { unique: true })
  @Column('text')
  tokenHash: string;

  @Column('int')
  userId: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId' })
  user?: UserEntity;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Index('sessions_expires_at')
  @Column('timestamptz')
  expiresAt: Date;

  /** The last request made with it (to the minute): the session ends after SESSION_IDLE_MS without one. */
  @Column('timestamptz', { default: () => 'now()' })
  lastSeenAt: Date;
}
