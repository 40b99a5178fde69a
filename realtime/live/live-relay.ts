import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import type { LiveServerToClientEvents, MachineOeeUpdated, MachineStateChanged } from '../../core/realtime/live-events.js';

/** One broadcast of this instance, for the screens of the other instances. */
export type RelayMessage =
  | { rooms: string[]; event: 'machine:state-changed'; payload: MachineStateChanged }
  | { rooms: string[]; event: 'machine:oee-updated'; payload: MachineOeeUpdated };

export interface RelayServerEvents {
  'live:relay': (batch: RelayMessage[]) => void;
}

type RelayNamespace = Namespace<Record<string, never>, LiveServerToClientEvents, RelayServerEvents>;

/** Messages per NOTIFY (larger batches go through the adapter's attachment table anyway). */
const MAX_BATCH = 200;
/** Beyond this the oldest are dropped: only while Postgres is unreachable, when nothing commits anyway. */
const MAX_QUEUE = 20_000;

/**
 * Broadcasts of `/live` across instances, in order and without waiting for the database.
 *
 * `nsp.to(rooms).emit` through the cluster adapter awaits the adapter's publish (a `pg_notify`
 * transaction) before it delivers to this instance's own sockets, and publishes run on several pool
 * connections at once, so two quick changes of one machine could even overtake each other. Instead,
 * this instance's screens get each message at once (`nsp.local`), and the other instances get the
 * same messages through the adapter (`serverSideEmit`), batched, one publish at a time, so they
 * arrive in the order they were sent; each instance then delivers them to its own screens. The
 * adapter never hands an instance its own messages, so every screen gets each message once.
 */
export class LiveRelay {
  private queue: RelayMessage[] = [];
  private flushing = false;
  private closed = false;
  private readonly nsp: RelayNamespace;
  private readonly onRelay = (batch: RelayMessage[]) => {
    if (!Array.isArray(batch)) return;
    for (const m of batch) {
      this.deliverLocally(m);
      this.onRemote?.(m);
    }
  };

  /** `onRemote`: told of every message relayed from another instance (after its local delivery). */
  constructor(
    nsp: Namespace,
    private readonly logger: Logger,
    private readonly onRemote?: (message: RelayMessage) => void,
  ) {
    this.nsp = nsp as unknown as RelayNamespace;
    this.nsp.on('live:relay', this.onRelay);
  }

  send(message: RelayMessage): void {
    this.deliverLocally(message);
    if (this.closed) return;
    this.queue.push(message);
    if (this.queue.length > MAX_QUEUE) {
      this.queue.splice(0, this.queue.length - MAX_QUEUE);
      this.logger.warn('live relay: other instances unreachable; dropping the oldest broadcasts');
    }
    if (!this.flushing) {
      this.flushing = true;
      // Messages sent in the same tick share one publish.
      setImmediate(() => void this.flush());
    }
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.nsp.off('live:relay', this.onRelay);
  }

  private deliverLocally(m: RelayMessage): void {
    if (m.event === 'machine:state-changed') this.nsp.local.to(m.rooms).emit(m.event, m.payload);
    else this.nsp.local.to(m.rooms).emit(m.event, m.payload);
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.closed) {
        const batch = this.queue.splice(0, MAX_BATCH);
        // Resolves once the NOTIFY committed (the adapter reports its own errors), so order is kept.
        await this.nsp.adapter.serverSideEmit(['live:relay', batch]);
      }
    } catch (err) {
      this.logger.warn({ err }, 'live relay: could not reach the other instances');
    } finally {
      this.flushing = false;
      if (this.queue.length > 0 && !this.closed) {
        this.flushing = true;
        setTimeout(() => void this.flush(), 1_000).unref();
      }
    }
  }
}
