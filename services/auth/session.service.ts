import { SESSION_TTL_MS } from '../../core/auth.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { CredentialRepository } from '../../db/repositories/credential.repository.js';
import { hashSessionToken, newToken, verifySecret } from './hashing.js';
import type { ChangeFeed } from '../change-feed.js';
import type { AttemptLimiter } from './attempt-limiter.js';

export { SESSION_TTL_MS } from '../../core/auth.js';

/** Password sign-in for people (web); tablets use PINs and devices use API keys. */
export class SessionService {
  constructor(
    private readonly credentials: CredentialRepository,
    private readonly limiter: AttemptLimiter,
    private readonly sessionSecret: string,
    private readonly clock: Clock,
    private readonly feed: ChangeFeed,
  ) {}

  async signIn(username: string, password: string, ip: string) {
    const subject = username.toLowerCase();
    // Counted before the hash: a wrong password simply keeps its reservation.
    await this.limiter.reserve(subject, ip);
    const user = await this.credentials.findActiveUserByUsername(username);
    const ok = await verifySecret(password, user?.passwordHash ?? null);
    if (!user || !ok) throw new AppError('unauthenticated', 401, 'Wrong username or password');
    await this.limiter.succeed(subject, ip);
    const token = newToken('s');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
    await this.credentials.createSession(user.id, hashSessionToken(token, this.sessionSecret), expiresAt, now);
    return { user: { id: user.id, username: user.username, role: user.role }, token, expiresAt };
  }

  /**
   * Ends the session and says so on the change feed, so every instance closes the live screens signed in
   * with it at once rather than at its next periodic check (docs/security.md).
   */
  async signOut(token: string | undefined): Promise<void> {
    if (!token) return;
    const userId = await this.credentials.deleteSession(hashSessionToken(token, this.sessionSecret));
    if (userId !== null) this.feed.publish({ kind: 'setup', entity: 'user', id: userId });
  }
}
