import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import pg from 'pg';
import {
  clusterMessageSchema,
  MAX_CLUSTER_EVENT_BYTES,
  parseClusterEvents,
  type ClusterChannel,
  type ClusterEvent,
  type ClusterEventName,
  type ClusterEvents,
} from '../core/cluster/cluster-events.js';
import { guardPool } from './pool-guard.js';

/** The NOTIFY channel every instance of one database listens on. */
export const CLUSTER_CHANNEL = 'oee_cluster';
/** NOTIFY payloads must stay under 8000 bytes: events of one payload add up to at most this (plus the envelope). */
const MAX_PAYLOAD_BYTES = MAX_CLUSTER_EVENT_BYTES;
/** Events waiting while the database is unreachable; beyond this the oldest go (the others see a gap anyway). */
const MAX_QUEUE = 50_000;

/** An event waiting to be sent, serialised once. */
interface Queued {
  json: string;
  bytes: number;
}

/**
 * The inter-instance channel (its contract: core/cluster/cluster-events.ts) over PostgreSQL
 * LISTEN/NOTIFY, on connections of its own so it works in every role (an ingest-only instance has no
 * Socket.IO). One connection LISTENs; a small pool NOTIFYs. Events sent in one tick share a NOTIFY
 * (as many as fit below 8000 bytes), one NOTIFY at a time, so the others receive them in the order
 * they were sent (PostgreSQL delivers notifications in commit order).
 *
 * Delivery is at most once, as the contract says: a NOTIFY that failed is sent again a second later
 * (the database away), and events queue meanwhile (up to 50 000); a crash loses what was queued; a
 * listening connection that was lost is re-opened and its gap reported. One exception to "once":
 * when the connection breaks after PostgreSQL took a NOTIFY but before it answered, the retry sends
 * that batch again. Every receiver tolerates a repeat (invalidations are idempotent; a repeated
 * `/live` message shows the same state again).
 */
export class PgClusterChannel implements ClusterChannel {
  readonly instanceId = randomUUID();
  private readonly pool: pg.Pool;
  private listener: pg.Client | null = null;
  private queue: Queued[] = [];
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
    this.pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 2,
      connectionTimeoutMillis: 3_000,
      options: '-c synchronous_commit=off',
    });
    guardPool(this.pool, logger);
  }

  /** Connects the listening connection; resolves once this instance hears the others. */
  async start(): Promise<void> {
    await this.listen();
  }

  send<K extends ClusterEventName>(type: K, data: ClusterEvents[K]): boolean {
    if (this.closed) return false;
    const json = JSON.stringify({ type, data });
    const bytes = Buffer.byteLength(json);
    if (bytes > MAX_CLUSTER_EVENT_BYTES) {
      // It would fail every NOTIFY it is part of, and hold up every event behind it.
      this.logger.warn({ type, bytes }, 'cluster channel: event too large for a NOTIFY; not sent');
      return false;
    }
    this.queue.push({ json, bytes });
    if (this.queue.length > MAX_QUEUE) {
      this.queue.splice(0, this.queue.length - MAX_QUEUE);
      this.logger.warn('cluster channel: database unreachable; dropping the oldest events');
    }
    if (!this.sending && !this.retryTimer) this.kick();
    return true;
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
        // The events are JSON already: the envelope is built around them rather than serialised again.
        const payload = `{"from":${JSON.stringify(this.instanceId)},"events":[${batch.map((e) => e.json).join(',')}]}`;
        await this.pool.query('SELECT pg_notify($1, $2)', [CLUSTER_CHANNEL, payload]).catch((err: unknown) => {
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
  private takeBatch(): Queued[] {
    let bytes = 0;
    let count = 0;
    for (const event of this.queue) {
      if (count > 0 && bytes + event.bytes + 1 > MAX_PAYLOAD_BYTES) break;
      bytes += event.bytes + 1;
      count++;
    }
    return this.queue.splice(0, count);
  }

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
