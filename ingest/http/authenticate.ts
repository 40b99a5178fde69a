import type { RequestHandler } from 'express';
import { sessionCookieName, type Authenticator } from '../../services/auth/authenticator.js';

/** Resolves `req.auth` from `Authorization: Bearer <key>` or the session cookie. Never rejects by itself. */
export function authenticate(authenticator: Authenticator): RequestHandler {
  return async (req, _res, next) => {
    try {
      req.auth = null;
      const header = req.headers.authorization;
      if (header?.startsWith('Bearer ')) {
        req.auth = await authenticator.fromBearer(header.slice(7).trim());
      } else {
        const token = req.cookies?.[sessionCookieName(req.secure)];
        if (typeof token === 'string' && token.length > 0 && token.length < 200) req.auth = await authenticator.fromSessionToken(token);
      }
      next();
    } catch (err) {
      // The credential could not be checked (database away): public routes such as health still answer;
      // routes that need a role answer with this error (503) instead of treating the caller as anonymous.
      req.auth = null;
      req.authError = err;
      next();
    }
  };
}
