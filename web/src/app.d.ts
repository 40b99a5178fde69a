// See https://svelte.dev/docs/kit/types#app.d.ts
import type { IncomingMessage } from 'node:http';
import type { RequestAuth, SessionUser } from '$lib/session';

declare global {
  namespace App {
    interface Locals {
      user: SessionUser | null;
    }
    interface PageData {
      user: SessionUser | null;
    }
    /** adapter-node passes the Node request; under `vite dev` there is no platform. */
    interface Platform {
      req: IncomingMessage & { auth?: RequestAuth; frameAncestors?: string };
    }
  }
}

export {};
