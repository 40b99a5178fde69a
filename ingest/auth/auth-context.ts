import type { AuthContext } from '../../core/auth.js';

export type { AuthContext };

declare module 'express-serve-static-core' {
  interface Request {
    auth?: AuthContext | null;
    /** Set when the credentials could not be checked (e.g. the database is unavailable). */
    authError?: unknown;
  }
}

declare module 'http' {
  interface IncomingMessage {
    auth?: AuthContext | null;
    /** The CSP `frame-ancestors` sources of this page (OEE_FRAME_ANCESTORS on /wall, else `'none'`); the web hook applies it. */
    frameAncestors?: string;
  }
}
