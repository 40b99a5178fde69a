import type { Logger } from 'pino';
import type { ClusterChannel, LiveBroadcast } from '../../core/cluster/cluster-events.js';
import type { LiveAlertChanged } from '../../core/realtime/live-events.js';
import type { LiveNamespace } from './live-socket.js';

/**
 * Broadcasts of `/live` to every instance's screens, in order and without waiting for the database.
 *
 * This instance's screens get each broadcast at once (`nsp.local`); the other instances get the same
 * broadcast through the cluster channel (core/cluster/cluster-events.ts: in order from one sender,
 * never back to it, at most once) and deliver it to their own screens. So every screen gets each
 * broadcast once, in the order it was sent, wherever the change was committed.
 *
 * A broadcast too large for the channel (an OEE result with very many losses) reaches this
 * instance's screens only; the others' screens get that machine's OEE in their once-a-minute round.
 */
export class LiveRelay {
  private closed = false;
  private readonly offEvent: () => void;

  /** `onRemote`: told of every broadcast relayed from another instance (after its local delivery). */
  constructor(
    private readonly nsp: LiveNamespace,
    private readonly cluster: ClusterChannel,
    private readonly logger: Logger,
    private readonly onRemote?: (broadcast: LiveBroadcast) => void,
  ) {
    this.offEvent = cluster.onEvent((event) => {
      if (event.type !== 'live' || this.closed) return;
      this.deliverLocally(event.data);
      this.onRemote?.(event.data);
    });
  }

  send(broadcast: LiveBroadcast): void {
    if (this.closed) return;
    this.deliverLocally(broadcast);
    if (!this.cluster.send('live', broadcast))
      this.logger.debug(
        { event: broadcast.event, machineId: broadcast.payload.machineId },
        'live relay: not relayed to the other instances',
      );
  }

  /**
   * An alert's change to this instance's screens only: every instance hears alert changes itself
   * (the change feed) and reads the alert for its own screens, so nothing is relayed.
   */
  sendHere(rooms: string[], change: LiveAlertChanged): void {
    if (!this.closed) this.nsp.local.to(rooms).emit('alert:changed', change);
  }

  close(): void {
    this.closed = true;
    this.offEvent();
  }

  private deliverLocally(b: LiveBroadcast): void {
    if (b.event === 'machine:state-changed') this.nsp.local.to(b.rooms).emit(b.event, b.payload);
    else this.nsp.local.to(b.rooms).emit(b.event, b.payload);
  }
}
