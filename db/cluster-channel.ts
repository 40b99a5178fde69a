import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import pg from 'pg';
import { clusterMessageSchema, parseClusterEvents, type ClusterEvent, type ClusterEventName, type ClusterEvents } from '../core/cluster/cluster-events.js';
import { guardPool } from './pool-guard.js';

/** The NOTIFY channel every instance of one database listens on. */
export const CLUSTER_CHANNEL = 'oee_cluster';
/** NOTIFY payloads must stay under 8000 bytes; keep a margin for the envelope. */
const MAX_PAYLOAD_BYTES = 7_500;
/** Events waiting while the database is unreachable; beyond this the oldest go (the others see a gap anyway). */
const MAX_QUEUE = 50_000;

/** What the change feed and the tests need of the channel. */
export interface ClusterChannel {
  /** This instance's id (messages carry it; an instance ignores its own). */
  readonly instanceId: string;
  /** Sends an event to every other instance, after the events sent before it. */
  send<K extends ClusterEventName>(type: K, data: ClusterEvents[K]): void;
  /** Resolves once every event sent so far has been handed to PostgreSQL, or an attempt failed (then retried). */
  flushed(): Promise<void>;
  /** Events from the other instances. Returns the unsubscribe function. */
  onEvent(listener: (event: ClusterEvent) => void): () => void;
  /**
   * Told when events from other instances may have been missed (the listening connection was
   * lost and is back): listeners drop what they cache.
   */
  onGap(listener: () => void): () => void;
  close(): Promise<void>;
}

/**
 * The inter-instance channel over PostgreSQL LISTEN/NOTIFY, the mechanism the Socket.IO adapter
 * already uses between instances, but on its own connections so it works in every role (an
 * ingest-only instance has no Socket.IO). One connection LISTENs; a small pool NOTIFYs. Events
 * sent in one tick share a NOTIFY (split below 8000 bytes), one NOTIFY at a time, so other
 * instances receive them in the order they were sent.
 *
 * Delivery is at most once: an event sent while the database is away is retried, and a listener
 * that was disconnected is told of the gap. A crash between a commit and its NOTIFY loses the
 * event; what caches depend on it has its own bound (the credential cache expires within 5 s,
 * stored roll-ups are checked by the nightly verifier).
 */
export class PgClusterChannel implements ClusterChannel {
  readonly instanceId = randomUUID();
  private readonly pool: pg.Pool;
  private listener: pg.Client | null = null;
  private queue: ClusterEvent[] = [];
  private sending: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly eventListeners = new Set<(event: ClusterEvent) => void>();
  private readonly gapListeners = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly logger: Logger,
  ) {
    // Notifications are ephemeral: their commits need not wait for the WAL flush.
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 2, connectionTimeoutMillis: 3_000, options: '-c synchronous_commit=off' });
    guardPool(this.pool, logger);
  }

  /** Connects the listening connection; resolves once this instance hears the others. */
  async start(): Promise<void> {
    await this.listen();
  }

  send<K extends ClusterEventName>(type: K, data: ClusterEvents[K]): void {
    if (this.closed) return;
    this.queue.push({ type, data } as ClusterEvent);
    if (this.queue.length > MAX_QUEUE) {
      this.queue.splice(0, this.queue.length - MAX_QUEUE);
      this.logger.warn('cluster channel: database unreachable; dropping the oldest events');
    }
    if (!this.sending && !this.retryTimer) this.kick();
  }

  /** Resolves once every event sent so far was handed to PostgreSQL, or the attempt failed (it is retried). */
  async flushed(): Promise<void> {
    while (this.sending) await this.sending;
  }

  onEvent(listener: (event: ClusterEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onGap(listener: () => void): () => void {
    this.gapListeners.add(listener);
    return () => this.gapListeners.delete(listener);
  }

  async close(): Promise<void> {
    await Promise.race([this.flushed(), new Promise((r) => setTimeout(r, 1_000).unref())]);
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.queue = [];
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }

  // --- sending

  /** Starts a drain on the next tick, so events sent in the same tick share a NOTIFY. */
  private kick(): void {
    const run: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.drain())
      .finally(() => {
        if (this.sending === run) this.sending = null;
      });
    this.sending = run;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.closed) {
        const batch = this.takeBatch();
        await this.pool.query('SELECT pg_notify($1, $2)', [CLUSTER_CHANNEL, JSON.stringify({ from: this.instanceId, events: batch })]).catch((err: unknown) => {
          this.queue.unshift(...batch);
          throw err;
        });
      }
    } catch (err) {
      this.logger.warn({ err }, 'cluster channel: could not notify the other instances; retrying');
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        if (this.queue.length > 0 && !this.closed) this.kick();
      }, 1_000);
      this.retryTimer.unref();
    }
  }

  /** The longest prefix of the queue that fits one payload (at least one event). */
  private takeBatch(): ClusterEvent[] {
    let bytes = 0;
    let count = 0;
    for (const event of this.queue) {
      const size = Buffer.byteLength(JSON.stringify(event)) + 1;
      if (count > 0 && bytes + size > MAX_PAYLOAD_BYTES) break;
      bytes += size;
      count++;
    }
    return this.queue.splice(0, count);
  }

  // --- listening

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    const lost = (err?: Error) => {
      if (this.listener !== client || this.closed) return;
      this.listener = null;
      this.logger.warn({ err: err?.message }, 'cluster channel: listening connection lost; reconnecting');
      client.end().catch(() => undefined);
      this.reconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel === CLUSTER_CHANNEL) this.receive(message.payload);
    });
    await client.connect();
    await client.query(`LISTEN ${CLUSTER_CHANNEL}`);
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
  }

  private reconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.listen().then(
        () => {
          // Whatever was sent while nobody listened here is lost: say so.
          for (const listener of this.gapListeners) this.safely(() => listener());
        },
        (err: unknown) => {
          this.logger.warn({ err }, 'cluster channel: could not listen again; retrying');
          this.reconnect();
        },
      );
    }, 1_000);
    this.reconnectTimer.unref();
  }

  private receive(payload: string | undefined): void {
    let message;
    try {
      message = clusterMessageSchema.parse(JSON.parse(payload ?? ''));
    } catch {
      this.logger.warn('cluster channel: ignoring a malformed message');
      return;
    }
    if (message.from === this.instanceId) return;
    const { events, dropped } = parseClusterEvents(message.events);
    if (dropped > 0) this.logger.warn({ dropped, from: message.from }, 'cluster channel: ignoring unknown or invalid events');
    for (const event of events) for (const listener of this.eventListeners) this.safely(() => listener(event));
  }

  private safely(run: () => void): void {
    try {
      run();
    } catch (err) {
      this.logger.error({ err }, 'cluster channel: a listener failed');
    }
  }
}
