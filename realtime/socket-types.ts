import type { Namespace, Server } from 'socket.io';

/**
 * Socket.IO carries nothing between instances: every inter-instance message goes through the cluster
 * channel (core/cluster/cluster-events.ts), so no namespace has server-side events.
 */
export type NoInterServerEvents = Record<string, never>;

/**
 * The namespace `name` typed with its own event maps and socket data. One `Server` hosts several
 * namespaces with different maps, which its own generics cannot express: this is the one cast.
 */
export function typedNamespace<N extends Namespace>(io: Server, name: string): N {
  return io.of(name) as unknown as N;
}
