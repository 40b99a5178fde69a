import type { AuthContext } from '../../core/auth.js';

export type { AuthContext };

declare module 'express-serve-static-core' {
  interface Request {
    auth?: AuthContext | null;
  }
}

declare module 'http' {
  interface IncomingMessage {
    auth?: AuthContext | null;
  }
}
