import { EventEmitter } from 'node:events';
import type { ClusterChannel } from '../core/cluster/cluster-events.js';
import type { CommittedChange } from '../core/cluster/committed-change.js';

export type { CommittedChange, SetupEntity } from '../core/cluster/committed-change.js';

/** Where a change was committed: on this instance, or on another one sharing the database. */
export type ChangeOrigin = 'local' | 'remote';

export interface SubscribeOptions {
  /**
   * Also receive the changes committed on other instances (through the cluster channel). Off by
   * default: a listener that broadcasts what it hears (the realtime hub) must hear each change once,
   * on the instance that committed it.
   */
  remote?: boolean;
}

/**
 * The post-commit hook: after a transaction that changed shop-floor data commits, the writer
 * publishes what changed here. The realtime hub, the roll-ups, the credential cache and the
 * scheduler listen. With a cluster channel attached, every change is also sent to the other
 * instances, which hand it to their listeners that asked for remote changes: so every instance
 * sees every committed change it caches or derives from, wherever it was committed.
 */
export class ChangeFeed {
  private readonly emitter = new EventEmitter();
  private channel: ClusterChannel | null = null;
  private detach: (() => void)[] = [];

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  /** Sends this instance's changes to the others and hands theirs to remote listeners. */
  attach(channel: ClusterChannel): void {
    this.channel = channel;
    this.detach = [
      channel.onEvent((event) => {
        if (event.type === 'change') this.emitter.emit('remote', event.data);
      }),
      channel.onGap(() => this.emitter.emit('gap')),
    ];
  }

  /** Stops talking to other instances (shutdown). */
  detachChannel(): void {
    for (const off of this.detach) off();
    this.detach = [];
    this.channel = null;
  }

  publish(change: CommittedChange): void {
    this.emitter.emit('local', change);
    this.channel?.send('change', change);
  }

  /** Resolves once the changes published so far have been handed to the other instances (best effort). */
  async delivered(): Promise<void> {
    await this.channel?.flushed();
  }

  subscribe(listener: (change: CommittedChange, origin: ChangeOrigin) => void, options: SubscribeOptions = {}): () => void {
    const safe = (origin: ChangeOrigin) => (change: CommittedChange) => {
      try {
        listener(change, origin);
      } catch {
        // A listener's failure must never reach the writer that already committed.
      }
    };
    const local = safe('local');
    const remote = safe('remote');
    this.emitter.on('local', local);
    if (options.remote) this.emitter.on('remote', remote);
    return () => {
      this.emitter.off('local', local);
      this.emitter.off('remote', remote);
    };
  }

  /** Told when changes of other instances may have been missed: drop what is cached from them. */
  onGap(listener: () => void): () => void {
    const safe = () => {
      try {
        listener();
      } catch {
        // as above
      }
    };
    this.emitter.on('gap', safe);
    return () => this.emitter.off('gap', safe);
  }
}
