import { readFileSync } from 'node:fs';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { MqttStatus } from '../../core/schemas/mqtt.schema.js';
import type { ChangeFeed } from '../../services/change-feed.js';
import type { MqttIngestService } from '../../services/mqtt/mqtt-ingest.service.js';
import type { MqttLease } from '../../services/mqtt/mqtt-lease.js';
import type { MqttPublishService, OutboundMessage } from '../../services/mqtt/mqtt-publish.service.js';
import { KeyedPipeline } from '../../services/mqtt/keyed-pipeline.js';
import { DEFERRED, OrderedAcks } from './ordered-acks.js';
import { REBIRTH_METRIC, rebirthTopic } from '../../core/mqtt/sparkplug.js';
import { decodeSparkplug, encodeSparkplug } from './sparkplug-codec.js';

/** The connection settings (env.ts mqttSettings). */
export interface MqttConnection {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  /** PEM files: the broker's CA, and a client certificate with its key. */
  caFile?: string | undefined;
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** The persistent session's client id, the same on every instance (only the lease holder connects). */
  clientId: string;
}

export interface MqttBridgeOptions {
  connection: MqttConnection;
  ingest: MqttIngestService;
  lease: MqttLease;
  feed: ChangeFeed;
  /** Null: nothing is published (MQTT_PUBLISH_PREFIX unset). */
  publisher: MqttPublishService | null;
  logger: Logger;
  /** How often the lease is renewed (and taken by a standby instance); LEASE_RENEW_MS. */
  renewMs: number;
  /** How often the shift OEE is published; one minute. */
  oeeEveryMs?: number;
  /** Messages under way at once (received, not yet acknowledged); MQTT_IN_FLIGHT. */
  inFlight?: number;
}

const BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 30_000];
/** Messages under way at once: enough to keep the write path's group commits full, few enough to bound memory. */
export const DEFAULT_IN_FLIGHT = 200;

/**
 * The MQTT transport (docs/mqtt.md): while this instance holds the lease it keeps one client connected (QoS 1,
 * a persistent session, reconnecting with backoff), subscribes to the mappings' filters, hands each message to
 * the ingest service and acknowledges it only once what it said is committed, and publishes states and OEE.
 * Without the lease it stays on standby; losing it closes the client.
 */
export class MqttBridge {
  private client: MqttClient | null = null;
  private subscribed = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private oeeTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopped = false;
  private ticking: Promise<void> = Promise.resolve();
  private readonly off: (() => void)[] = [];
  private state: MqttStatus = 'standby';
  private readonly pipeline: KeyedPipeline;

  constructor(private readonly options: MqttBridgeOptions) {
    this.pipeline = new KeyedPipeline(options.inFlight ?? DEFAULT_IN_FLIGHT);
  }

  get status(): MqttStatus {
    return this.state;
  }

  /** True while this instance holds the lease and so is the cluster's subscriber. */
  get isSubscriber(): boolean {
    return this.client !== null;
  }

  start(): this {
    const { ingest, feed, publisher } = this.options;
    this.off.push(ingest.listen(feed, () => void this.resubscribe()));
    ingest.onRebirth = (node) => this.rebirth(node.group, node.edge, node.at);
    if (publisher) this.off.push(publisher.listen(feed, (m) => this.publish(m)));
    this.tick();
    this.timer = setInterval(() => this.tick(), this.options.renewMs);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const off of this.off) off();
    await this.ticking;
    await this.disconnect();
    // Writes under way finish before the pool closes (their messages stay unacknowledged: delivered again).
    await this.pipeline.settled();
    await this.options.lease.release().catch(() => undefined);
  }

  /** Publishes every machine's shift OEE now (and every minute while connected). */
  async publishOee(): Promise<void> {
    if (!this.options.publisher || !this.client) return;
    for (const m of await this.options.publisher.oeeMessages()) this.publish(m);
  }

  private tick(): void {
    this.ticking = this.ticking.then(async () => {
      if (this.stopped) return;
      const held = await this.options.lease.acquire().catch((err: unknown) => {
        this.options.logger.warn({ err }, 'MQTT lease not renewed');
        return false;
      });
      if (held && !this.client) this.connect();
      else if (!held && this.client) {
        this.options.logger.warn('MQTT lease lost: another instance subscribes');
        await this.disconnect();
      }
    });
  }

  private connect(): void {
    const { connection, logger } = this.options;
    const options: IClientOptions = {
      clientId: connection.clientId,
      clean: false,
      reconnectPeriod: BACKOFF_MS[0]!,
      connectTimeout: 10_000,
      ...(connection.username !== undefined ? { username: connection.username } : {}),
      ...(connection.password !== undefined ? { password: connection.password } : {}),
      ...(connection.caFile ? { ca: readFileSync(connection.caFile) } : {}),
      ...(connection.certFile ? { cert: readFileSync(connection.certFile) } : {}),
      ...(connection.keyFile ? { key: readFileSync(connection.keyFile) } : {}),
    };
    this.state = 'connecting';
    const client = connect(connection.url, options);
    this.client = client;
    this.subscribed = new Set();
    // Messages of different machines in parallel, each machine's in order (KeyedPipeline); each PUBACK in
    // order once its message and those before it are committed (OrderedAcks).
    const acks = new OrderedAcks(client);
    client.handleMessage = (packet, done) => {
      const topic = packet.topic;
      const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
      const ack = packet.qos > 0 && packet.messageId !== undefined ? acks.expect(packet.messageId) : null;
      const failed = (err: unknown) => {
        // Not acknowledged: the broker delivers it (and those after it) again on the next connection.
        if (this.client !== client) return;
        logger.error({ err, topic }, 'MQTT message not processed; reconnecting to have it again');
        this.pipeline.reset();
        void this.restart();
      };
      void (async () => {
        await this.pipeline.room();
        const keys = await this.options.ingest.laneKeys({ topic, payload });
        const sparkplug = topic.startsWith('spBv1.0/') ? decodeSparkplug(payload) : null;
        // Read on at once: the next message is routed while this one is written.
        const written = this.pipeline.run(keys, () => this.options.ingest.handle({ topic, payload, sparkplug }));
        done(ack ? DEFERRED : undefined);
        await written;
        ack?.commit();
      })().catch(failed);
    };
    client.on('connect', (connack) => {
      this.failures = 0;
      client.options.reconnectPeriod = BACKOFF_MS[0]!;
      this.state = 'connected';
      logger.info({ url: redactUrl(connection.url), sessionPresent: connack.sessionPresent }, 'MQTT connected');
      this.subscribed = new Set();
      void this.resubscribe();
      void this.publishOee().catch((err: unknown) => logger.warn({ err }, 'MQTT OEE not published'));
    });
    client.on('close', () => {
      if (this.client !== client) return;
      this.state = 'reconnecting';
      this.failures++;
      client.options.reconnectPeriod = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)]!;
    });
    client.on('error', (err) => logger.warn({ err: { message: err.message } }, 'MQTT connection error'));
    if (this.options.publisher) {
      this.oeeTimer = setInterval(
        () => void this.publishOee().catch((err: unknown) => logger.warn({ err }, 'MQTT OEE not published')),
        this.options.oeeEveryMs ?? 60_000,
      );
      this.oeeTimer.unref();
    }
  }

  private async restart(): Promise<void> {
    await this.disconnect();
    if (!this.stopped) this.tick();
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (this.oeeTimer) clearInterval(this.oeeTimer);
    this.oeeTimer = null;
    this.state = 'standby';
    if (client) await client.endAsync(true).catch(() => undefined);
  }

  /** Subscribes to the mappings' filters now wanted and leaves those no longer wanted (the session keeps them). */
  private async resubscribe(): Promise<void> {
    const client = this.client;
    if (!client?.connected) return;
    try {
      const wanted = new Set(await this.options.ingest.filters());
      const add = [...wanted].filter((f) => !this.subscribed.has(f));
      const remove = [...this.subscribed].filter((f) => !wanted.has(f));
      if (add.length) await client.subscribeAsync(add, { qos: 1 });
      if (remove.length) await client.unsubscribeAsync(remove);
      if (this.client === client) this.subscribed = wanted;
    } catch (err) {
      this.options.logger.warn({ err }, 'MQTT subscriptions not updated');
    }
  }

  /** A Sparkplug B Rebirth request to an edge node: NCMD, QoS 0, not retained (Sparkplug B 3.0). */
  private rebirth(group: string, edge: string, at: number): void {
    const payload = encodeSparkplug({ timestamp: at, metrics: [{ name: REBIRTH_METRIC, type: 'Boolean', value: true }] });
    this.client?.publish(rebirthTopic(group, edge), Buffer.from(payload), { qos: 0, retain: false }, (err) => {
      if (err) this.options.logger.warn({ err: { message: err.message }, group, edge }, 'Sparkplug B Rebirth not sent');
    });
  }

  private publish(message: OutboundMessage): void {
    const client = this.client;
    if (!client) return;
    client.publish(message.topic, message.payload, { qos: 1, retain: true }, (err) => {
      if (err) this.options.logger.warn({ err: { message: err.message }, topic: message.topic }, 'MQTT publish failed');
    });
  }
}

/** The broker's address without a password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
