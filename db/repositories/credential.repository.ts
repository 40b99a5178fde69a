import type { DataSource } from 'typeorm';
import { IsNull, LessThan, MoreThan } from 'typeorm';
import type { Role } from '../../core/roles.js';
import { ApiKeyEntity, KioskTokenEntity, SessionEntity, TabletEntity, UserEntity } from '../entities/index.js';

/** Look-ups of credentials by their stored hashes. */
export class CredentialRepository {
  constructor(private readonly dataSource: DataSource) {}

  findActiveUserByUsername(username: string): Promise<UserEntity | null> {
    return this.dataSource.manager.findOneBy(UserEntity, { username, deletedAt: IsNull() });
  }

  async createSession(userId: number, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.dataSource.manager.insert(SessionEntity, { userId, tokenHash, expiresAt });
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.dataSource.manager.delete(SessionEntity, { tokenHash });
  }

  async deleteSessionsOf(userId: number): Promise<void> {
    await this.dataSource.manager.delete(SessionEntity, { userId });
  }

  async deleteExpiredSessions(now: Date): Promise<number> {
    const result = await this.dataSource.manager.delete(SessionEntity, { expiresAt: LessThan(now) });
    return result.affected ?? 0;
  }

  async findSessionUser(tokenHash: string, now: Date): Promise<{ id: number; username: string; role: Role } | null> {
    const session = await this.dataSource.manager.findOne(SessionEntity, {
      where: { tokenHash, expiresAt: MoreThan(now), user: { deletedAt: IsNull() } },
      relations: { user: true },
    });
    return session?.user ? { id: session.user.id, username: session.user.username, role: session.user.role } : null;
  }

  findApiKey(keyHash: string): Promise<ApiKeyEntity | null> {
    return this.dataSource.manager.findOneBy(ApiKeyEntity, { keyHash });
  }

  findKioskToken(tokenHash: string): Promise<KioskTokenEntity | null> {
    return this.dataSource.manager.findOneBy(KioskTokenEntity, { tokenHash });
  }

  findTabletByToken(tokenHash: string): Promise<TabletEntity | null> {
    return this.dataSource.manager.findOneBy(TabletEntity, { tokenHash });
  }
}
