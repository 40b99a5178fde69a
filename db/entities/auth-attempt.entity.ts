import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Sign-in attempts (passwords, PINs) counted where every app instance sees them. One row per
 * (kind, subject, address): e.g. (`login`, `admin`, `10.0.0.7`), or (`login`, ``, `10.0.0.7`) for the
 * coarse per-address count. An attempt is counted before its hash is checked and a success deletes
 * the row, so `count` is the attempts since `windowStart` not followed by a success.
 */
@Entity('auth_attempts')
export class AuthAttemptEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_auth_attempts' })
  kind: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_auth_attempts' })
  subject: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_auth_attempts' })
  address: string;

  @Column('int')
  count: number;

  @Column('timestamptz')
  windowStart: Date;

  /** Whether the latest attempt was refused (it then counted nothing): read back by the same statement. */
  @Column('boolean', { default: false })
  refused: boolean;

  /** Growing delay: no attempt before this time. */
  @Column('timestamptz', { nullable: true })
  blockedUntil: Date | null;
}
