import type { Namespace, Socket } from 'socket.io';
import type { LiveClientToServerEvents, LiveServerToClientEvents } from '../../core/realtime/live-events.js';
import type { LiveViewer } from '../../services/live/live-viewers.js';
import type { NoInterServerEvents } from '../socket-types.js';

export interface LiveSocketData {
  viewer: LiveViewer;
  /** The one scope the socket watches: a group, or null for the whole site. */
  scope: number | null;
}

export type LiveNamespace = Namespace<LiveClientToServerEvents, LiveServerToClientEvents, NoInterServerEvents, LiveSocketData>;
export type LiveSocket = Socket<LiveClientToServerEvents, LiveServerToClientEvents, NoInterServerEvents, LiveSocketData>;

/** The scopes this instance's sockets watch. */
export function localScopes(nsp: LiveNamespace): (number | null)[] {
  const scopes = new Set<number | null>();
  for (const socket of nsp.sockets.values()) scopes.add(socket.data.scope);
  return [...scopes];
}
