import type { AppServices } from './app-services.js';
import type { DirectPersistence } from './persistence.js';
import { LiveScreens } from './live/live-screens.js';
import { LiveViewers } from './live/live-viewers.js';
import { TabletSockets } from './tablet/tablet-sockets.js';

/**
 * The services only the realtime transport uses (realtime/: `/live`, `/tablet`, the DigitME2
 * websocket), built once by the composition root. Every query of those sockets is behind one of them.
 */
export interface RealtimeServices {
  /** What wall screens are shown: snapshots, state messages, the set-up and the names this instance keeps. */
  liveScreens: LiveScreens;
  /** Who may watch a wall screen, and whether they still may. */
  liveViewers: LiveViewers;
  /** What tablet sockets read and run: identities, `tablet:state`, commands, current codes. */
  tabletSockets: TabletSockets;
}

/** What realtime/ is given: the application services and its own. */
export type RealtimeDeps = AppServices & RealtimeServices;

export function createRealtimeServices(deps: AppServices & DirectPersistence): RealtimeServices {
  return { liveScreens: LiveScreens.create(deps), liveViewers: new LiveViewers(deps), tabletSockets: new TabletSockets(deps) };
}
