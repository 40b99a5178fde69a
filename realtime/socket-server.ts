import type { Server as HttpServer } from 'node:http';
import pg from 'pg';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/postgres-adapter';
import { guardPool } from '../db/pool-guard.js';
import type { RealtimeDeps as AppServices } from '../services/app-services.js';
import { registerLiveNamespace } from './live/live.namespace.js';
import { registerTabletNamespace } from './tablet/tablet.namespace.js';


export interface Realtime {
  io: Server;
  close(): Promise<void>;
}

/**
 * The Socket.IO hub on the app's HTTP port. The Postgres adapter carries broadcasts between app
 * instances that share the database (LISTEN/NOTIFY), so a change committed on one instance reaches
 * screens connected to another.
 */
export function attachRealtime(server: HttpServer, deps: AppServices, databaseUrl: string): Realtime {
  // Adapter messages (a NOTIFY, or a row parked for 30 s) are ephemeral: their commits need not wait
  // for the WAL flush, which would add a disk sync (tens of ms on slow disks) to every broadcast.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 3, connectionTimeoutMillis: 3_000, options: '-c synchronous_commit=off' });
  guardPool(pool, deps.logger);
  const io = new Server(server, {
    serveClient: false,
    // Tablets on patchy Wi-Fi: notice a dead link within ~45 s, keep messages small.
    pingInterval: 20_000,
    pingTimeout: 25_000,
    maxHttpBufferSize: 256 * 1024,
    connectionStateRecovery: undefined,
    adapter: createAdapter(pool, { errorHandler: (err) => deps.logger.warn({ err }, 'socket.io adapter error') }),
  });
  const unsubscribers = [registerLiveNamespace(io, deps), registerTabletNamespace(io, deps)];
  return {
    io,
    close: async () => {
      for (const unsubscribe of unsubscribers) unsubscribe();
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      // After a database restart the adapter never returns its dead LISTEN client to the pool, so
      // pool.end() would wait for ever: give it a moment, then let go.
      await Promise.race([pool.end().catch(() => undefined), new Promise((r) => setTimeout(r, 2_000).unref())]);
    },
  };
}
