import type { DataSource } from 'typeorm';
import { IsNull, Not } from 'typeorm';
import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import { SessionEntity, TabletEntity, UserEntity } from '../db/entities/index.js';
import type { Actor, AuditRepository } from '../db/repositories/audit.repository.js';
import type { AuthAttemptRepository } from '../db/repositories/auth-attempt.repository.js';
import type { TabletWorkflowRepository } from '../db/repositories/tablet-workflow.repository.js';

/** Rules of users beyond plain set-up: keep one admin, retire instead of erase. */
export class UserService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRepository,
    private readonly attempts: AuthAttemptRepository,
    private readonly tabletWorkflow: Pick<TabletWorkflowRepository, 'activeUser'>,
    private readonly clock: Clock,
  ) {}

  /** Whether the user exists and is not retired (devices and tablets may name an operator). */
  async isActive(userId: number): Promise<boolean> {
    return (await this.tabletWorkflow.activeUser(userId)) !== null;
  }

  /**
   * Clears the user's failed password and PIN attempts from every address, so the user can sign in at
   * once. Clearing nothing is fine (a retry answers the same).
   */
  async unlock(actor: Actor, userId: number): Promise<{ cleared: number }> {
    return this.dataSource.transaction(async (tx) => {
      const user = await tx.findOneBy(UserEntity, { id: userId, deletedAt: IsNull() });
      if (!user) throw AppError.notFound('User');
      const cleared = await this.attempts.clearSubjects(tx, [
        { kind: 'login', subject: user.username.toLowerCase() },
        { kind: 'pin', subject: String(user.id) },
      ]);
      await this.audit.record(tx, actor, {
        action: 'user.unlock',
        entity: 'user',
        entityId: userId,
        after: { username: user.username, cleared },
      });
      return { cleared };
    });
  }

  /** Refuses to take away the last admin. */
  async assertNotLastAdmin(userId: number): Promise<void> {
    const user = await this.dataSource.manager.findOneBy(UserEntity, { id: userId, deletedAt: IsNull() });
    if (!user || user.role !== 'admin') return;
    const admins = await this.dataSource.manager.countBy(UserEntity, { role: 'admin', deletedAt: IsNull(), id: Not(userId) });
    if (admins === 0) throw AppError.conflict('This is the last admin; make another user admin first');
  }

  /** A retired user keeps its id and name in history but can no longer sign in anywhere. */
  async retire(actor: Actor, userId: number): Promise<void> {
    await this.assertNotLastAdmin(userId);
    await this.dataSource.transaction(async (tx) => {
      const user = await tx.findOneBy(UserEntity, { id: userId, deletedAt: IsNull() });
      if (!user) throw AppError.notFound('User');
      await tx.update(UserEntity, { id: userId }, { deletedAt: this.clock.now(), passwordHash: null, pinHash: null });
      await tx.delete(SessionEntity, { userId });
      await tx.update(TabletEntity, { operatorId: userId }, { operatorId: null, operatorSince: null });
      await this.audit.record(tx, actor, { action: 'user.delete', entity: 'user', entityId: userId, before: user });
    });
  }
}
