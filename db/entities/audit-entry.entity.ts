import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Who changed what, when: every set-up change and every correction of past data. */
@Entity('audit_log')
@Index('audit_log_at', ['at'])
@Index('audit_log_machine_at', ['machineId', 'at'])
export class AuditEntryEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column('timestamptz', { default: () => 'now()' })
  at: Date;

  @Column('int', { nullable: true })
  userId: number | null;

  @Column('int', { nullable: true })
  apiKeyId: number | null;

  /** `<entity>.<verb>`, e.g. `machine.update`, `timeline.correct`. */
  @Column('text')
  action: string;

  @Column('text')
  entity: string;

  @Column('text', { nullable: true })
  entityId: string | null;

  @Column('int', { nullable: true })
  machineId: number | null;

  /** Secrets are never written here (hashes are stripped before). */
  @Column('jsonb', { nullable: true })
  before: object | null;

  @Column('jsonb', { nullable: true })
  after: object | null;

  @Column('text', { nullable: true })
  note: string | null;
}
