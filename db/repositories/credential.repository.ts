import type { DataSource } from 'typeorm';
import { IsNull, LessThan, MoreThan } from 'typeorm';
import { SESSION_IDLE_MS, SESSION_TOUCH_MS } from '../../core/auth.js';
import type { Role } from '../../core/roles.js';
import { ApiKeyEntity, KioskTokenEntity, SessionEntity, TabletEntity, UserEntity } from '../entities/index.js';

/** Look-ups of credentials by their stored hashes. */
export class CredentialRepository {
  constructor(private readonly dataSource: DataSource) {}

  findActiveUserByUsername(username: string): Promise<UserEntity | null> {
    return this.dataSource.manager.findOneBy(UserEntity, { username, deletedAt: IsNull() });
  }

  async createSession(userId: number, tokenHash: string, expiresAt: Date, now: Date): Promise<void> {
    await this.dataSource.manager.insert(SessionEntity, { userId, tokenHash, expiresAt, lastSeenAt: now });
  }

  /** Deletes one session; the user it belonged to, or null when there was none. */
  async deleteSession(tokenHash: string): Promise<number | null> {
    const result = await this.dataSource.manager
      .createQueryBuilder()
      .delete()
      .from(SessionEntity)
      .where({ tokenHash })
      .returning('"userId"')
      .execute();
    const rows = result.raw as { userId: number }[];
    return rows[0]?.userId ?? null;
  }

  async deleteSessionsOf(userId: number): Promise<void> {
    await this.dataSource.manager.delete(SessionEntity, { userId });
  }

  /** Expired sessions and those idle for longer than SESSION_IDLE_MS. */
  async deleteExpiredSessions(now: Date): Promise<number> {
    const idleSince = new Date(now.getTime() - SESSION_IDLE_MS);
    const result = await this.dataSource.manager
      .createQueryBuilder()
      .delete()
      .from(SessionEntity)
      .where('"expiresAt" < :now OR "lastSeenAt" < :idleSince', { now, idleSince })
      .execute();
    return result.affected ?? 0;
  }

  /**
   * The user of a live session: not expired, not idle for SESSION_IDLE_MS. With `touch`, the use counts
   * as activity (`lastSeenAt`, written at most once a minute).
   */
  async findSessionUser(tokenHash: string, now: Date, touch = true): Promise<{ id: number; username: string; role: Role } | null> {
    const session = await this.dataSource.manager.findOne(SessionEntity, {
      where: {
        tokenHash,
        expiresAt: MoreThan(now),
        lastSeenAt: MoreThan(new Date(now.getTime() - SESSION_IDLE_MS)),
        user: { deletedAt: IsNull() },
      },
      relations: { user: true },
    });
    if (!session?.user) return null;
    if (touch && now.getTime() - session.lastSeenAt.getTime() >= SESSION_TOUCH_MS) {
      await this.dataSource.manager.update(SessionEntity, { id: session.id, lastSeenAt: LessThan(now) }, { lastSeenAt: now });
    }
    return { id: session.user.id, username: session.user.username, role: session.user.role };
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
