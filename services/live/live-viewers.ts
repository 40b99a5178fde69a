import { AppError } from '../../core/errors.js';
import { roleAllows } from '../../core/roles.js';
import type { Repositories } from '../../db/repositories/index.js';
import type { Authenticator } from '../auth/authenticator.js';
import { hashToken } from '../auth/hashing.js';

/** Who watches a `/live` screen, and how to check later that they still may. */
export interface LiveViewer {
  /** For logs: `kiosk:3`, `apiKey:7`, `user:1`. Never the secret. */
  label: string;
  /** A kiosk token of one group sees only that group and cannot widen. */
  pinnedGroupId: number | null;
  /** Screens with the same credential share one re-check. */
  credentialKey: string;
  /** Whether the credential still holds (kiosk token deleted, key revoked, session ended → false). */
  stillValid(): Promise<boolean>;
}

/**
 * Screens sign in with a kiosk token or an API key, or with the session of a signed-in user. Any
 * human role may watch (viewer and up); device keys and tablet tokens may not: they are write
 * credentials for machines, not screens. (How the handshake carries them: realtime/live/live-auth.ts.)
 */
export class LiveViewers {
  constructor(private readonly deps: { repos: Pick<Repositories, 'credentials'>; authenticator: Authenticator }) {}

  /** A kiosk token, else an API key. */
  async ofToken(token: string): Promise<LiveViewer> {
    const { repos, authenticator } = this.deps;
    const hash = hashToken(token);
    const kiosk = await repos.credentials.findKioskToken(hash);
    if (kiosk) {
      const groupId = kiosk.groupId;
      return {
        label: `kiosk:${kiosk.id}`,
        pinnedGroupId: groupId,
        credentialKey: `kiosk:${hash}`,
        stillValid: async () => {
          const again = await repos.credentials.findKioskToken(hash);
          return again !== null && again.groupId === groupId;
        },
      };
    }
    const key = await authenticator.fromBearer(token);
    if (!key) throw AppError.unauthenticated('Unknown or revoked token: use a kiosk token or an API key');
    if (!roleAllows(key.role, 'signedIn'))
      throw AppError.forbidden(`An API key of role "${key.role}" cannot watch screens; use a kiosk token or a viewer key`);
    return {
      label: `apiKey:${key.apiKeyId}`,
      pinnedGroupId: null,
      credentialKey: `apiKey:${hash}`,
      stillValid: async () => {
        const again = await authenticator.fromBearer(token);
        return again !== null && roleAllows(again.role, 'signedIn');
      },
    };
  }

  /** The session token of a signed-in user (from the session cookie). */
  async ofSession(session: string): Promise<LiveViewer> {
    const { authenticator } = this.deps;
    const user = await authenticator.fromSessionToken(session);
    if (!user) throw AppError.unauthenticated('The session has ended: sign in again');
    if (!roleAllows(user.role, 'signedIn')) throw AppError.forbidden(`Role "${user.role}" cannot watch screens`);
    return {
      label: `user:${user.userId}`,
      pinnedGroupId: null,
      credentialKey: `session:${hashToken(session)}`,
      stillValid: async () => (await authenticator.fromSessionToken(session, { touch: false })) !== null,
    };
  }
}
