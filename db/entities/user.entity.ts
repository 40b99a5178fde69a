import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../../core/roles.js';

@Entity('users')
@Index('users_username_unique', ['username'], { unique: true, where: '"deletedAt" IS NULL' })
@Check('users_role_valid', `"role" IN ('admin','supervisor','operator','viewer','device')`)
export class UserEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column('text')
  username: string;

  /** scrypt hash (see db/security/password-hash.ts); null = cannot sign in with a password. */
  @Column('text', { nullable: true })
  passwordHash: string | null;

  @Column('text')
  role: Role;

  /** scrypt hash of the tablet PIN; null = no tablet sign-in. */
  @Column('text', { nullable: true })
  pinHash: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  /** Users are retired, not erased: history keeps naming them. */
  @Column('timestamptz', { nullable: true })
  deletedAt: Date | null;
}
