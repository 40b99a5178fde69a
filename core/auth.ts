import type { Role } from './roles.js';

/** Who is calling: a signed-in user (cookie), an API key (bearer), or nobody. Set on each request. */
export interface AuthContext {
  role: Role;
  userId: number | null;
  apiKeyId: number | null;
  username: string | null;
  via: 'session' | 'apiKey' | 'anonymous';
}
