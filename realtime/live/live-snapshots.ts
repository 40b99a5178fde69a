import type { Logger } from 'pino';
import { scopeRoom } from '../../core/realtime/live-events.js';
import type { LiveSnapshot } from '../../services/live/live-screens.js';
import { localScopes, type LiveNamespace, type LiveSocket } from './live-socket.js';

interface ScopeReads {
  running: boolean;
  waiting: LiveSocket[];
}

/**
 * Snapshots (`machines:snapshot`), read per scope: sockets that joined while a read was running wait
 * for the next one (which starts after they joined, so it sees every change they were not sent), and
 * everyone waiting for a scope shares one read. A thousand screens reconnecting at once cost a few
 * reads. A read that fails disconnects its sockets: the screens reconnect and ask again.
 */
export class LiveSnapshots {
  private readonly scopes = new Map<number | null, ScopeReads>();
  private closed = false;

  constructor(
    private readonly nsp: LiveNamespace,
    private readonly read: (scope: number | null) => Promise<LiveSnapshot>,
    private readonly logger: Logger,
  ) {}

  /** A snapshot of the socket's scope, for this socket (after connect and `group:watch`). */
  send(socket: LiveSocket): void {
    const scope = socket.data.scope;
    let entry = this.scopes.get(scope);
    if (!entry) {
      entry = { running: false, waiting: [] };
      this.scopes.set(scope, entry);
    }
    entry.waiting.push(socket);
    if (!entry.running) void this.run(scope, entry);
  }

  /**
   * A fresh snapshot to every screen of this instance (the set-up changed, or relayed changes may
   * have been missed). Each instance does this for its own screens, hence `local`.
   */
  async resendAll(): Promise<void> {
    for (const scope of localScopes(this.nsp)) {
      const [machines, meta] = await this.read(scope);
      if (!this.closed) this.nsp.local.to(scopeRoom(scope)).emit('machines:snapshot', machines, meta);
    }
  }

  close(): void {
    this.closed = true;
  }

  private async run(scope: number | null, entry: ScopeReads): Promise<void> {
    entry.running = true;
    while (entry.waiting.length > 0) {
      const sockets = entry.waiting;
      entry.waiting = [];
      try {
        const [machines, meta] = await this.read(scope);
        // A socket that moved to another scope meanwhile gets that scope's snapshot from its own request.
        for (const socket of sockets) if (socket.connected && socket.data.scope === scope) socket.emit('machines:snapshot', machines, meta);
      } catch (err) {
        for (const socket of sockets) if (socket.connected) this.failed(socket, err);
      }
    }
    entry.running = false;
    this.scopes.delete(scope);
  }

  private failed(socket: LiveSocket, err: unknown): void {
    if (this.closed) return;
    this.logger.warn({ err, viewer: socket.data.viewer.label }, 'live: could not read a snapshot; the screen reconnects');
    socket.disconnect();
  }
}
