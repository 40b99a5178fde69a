import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { ClusterChannel } from '../core/cluster/cluster-events.js';
import type { RealtimeDeps } from '../services/realtime.services.js';
import { registerLiveNamespace } from './live/live.namespace.js';
import { registerTabletNamespace } from './tablet/tablet.namespace.js';

export interface Realtime {
  io: Server;
  close(): Promise<void>;
}

/**
 * The Socket.IO hub on the app's HTTP port. Socket.IO itself stays within this instance (its
 * default in-memory adapter): a change committed on another instance reaches these screens and
 * tablets through the cluster channel (`cluster`, built by the composition root), which `/live`
 * relays over and the change feed (`deps.feed`) listens to.
 */
export function attachRealtime(server: HttpServer, deps: RealtimeDeps, cluster: ClusterChannel): Realtime {
  const io = new Server(server, {
    serveClient: false,
    // Tablets on patchy Wi-Fi: notice a dead link within ~45 s, keep messages small.
    pingInterval: 20_000,
    pingTimeout: 25_000,
    maxHttpBufferSize: 256 * 1024,
    connectionStateRecovery: undefined,
  });
  const unsubscribers = [registerLiveNamespace(io, deps, cluster), registerTabletNamespace(io, deps)];
  return {
    io,
    close: async () => {
      for (const unsubscribe of unsubscribers) unsubscribe();
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}
