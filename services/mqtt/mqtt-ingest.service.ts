import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { readJsonPayload } from '../../core/mqtt/json-mapping.js';
import {
  REBIRTH_EVERY_MS,
  followSeq,
  hasUnknownAlias,
  learnAliases,
  metricsByName,
  newEdgeSession,
  parseSparkplugTopic,
  readSparkplugMetrics,
  type EdgeSession,
  type SparkplugPayload,
  type SparkplugTopic,
} from '../../core/mqtt/sparkplug.js';
import { topicLevel, topicMatches } from '../../core/mqtt/topic.js';
import type { MqttMapping } from '../../core/schemas/mqtt.schema.js';
import { BUILT_IN_CODES } from '../../core/state/built-in-codes.js';
import type { MqttRepository } from '../../db/repositories/mqtt.repository.js';
import type { ChangeFeed } from '../change-feed.js';
import { toMqttMapping } from './mqtt-mappings.service.js';
import type { MessageRef, MqttWriter } from './mqtt-writer.js';

/** A message as the transport hands it over; `sparkplug` is the decoded payload of a `spBv1.0/` topic (null when it would not decode). */
export interface InboundMessage extends MessageRef {
  sparkplug: SparkplugPayload | null;
}

/**
 * Turns MQTT messages into states and counts by the enabled mappings (docs/mqtt.md). Plain JSON: each matching
 * mapping reads the payload. Sparkplug B: births give the aliases, data messages the metrics, a node's or a
 * device's death puts its machines in the mapping's no-signal code (the built-in No data by default), and gaps in the sequence are logged. `handle` resolves
 * once everything the message said is committed: the transport acknowledges it then.
 */
export class MqttIngestService {
  private mappings: MqttMapping[] = [];
  private machinesByName = new Map<string, number>();
  /** The built-in No data code: what a death means when the mapping names no code of its own. */
  private noDataCodeId: number = BUILT_IN_CODES.down;
  private readonly sessions = new Map<string, EdgeSession>();
  private loaded: Promise<void> | null = null;
  /** When each edge node (`group/edge`) was last asked to rebirth: at most once per REBIRTH_EVERY_MS. */
  private readonly rebirthAt = new Map<string, number>();
  /** Where a Rebirth request goes (the transport publishes the NCMD); set by the bridge while connected. */
  onRebirth: ((node: { group: string; edge: string; at: number }) => void) | null = null;

  constructor(
    private readonly repo: Pick<MqttRepository, 'enabledMappings' | 'machineIdsByName'>,
    private readonly writer: MqttWriter,
    private readonly logger: Logger,
    /** The id of the built-in No data code (AndonRepository.noDataCodeId); null on a database without it. */
    private readonly noDataCode: () => Promise<number | null>,
    private readonly clock: Clock,
  ) {}

  /** Reloads mappings and machine names after their set-up changes (here or on another instance); `onReload` hears it. */
  listen(feed: Pick<ChangeFeed, 'subscribe'>, onReload: () => void): () => void {
    return feed.subscribe(
      (change) => {
        if (change.kind === 'setup' && (change.entity === 'mqtt-mapping' || change.entity === 'machine')) {
          this.loaded = null;
          onReload();
        }
      },
      { remote: true },
    );
  }

  private async ensureLoaded(): Promise<void> {
    this.loaded ??= (async () => {
      this.mappings = (await this.repo.enabledMappings()).map(toMqttMapping);
      this.machinesByName = await this.repo.machineIdsByName();
      const noData = await this.noDataCode();
      if (noData === null) this.logger.warn('No built-in No data code: a Sparkplug death records Down');
      this.noDataCodeId = noData ?? BUILT_IN_CODES.down;
    })().catch((err: unknown) => {
      this.loaded = null;
      throw err;
    });
    await this.loaded;
  }

  /** The topic filters to subscribe to: each mapping's, and for Sparkplug its edge nodes' own messages (births, deaths). */
  async filters(): Promise<string[]> {
    await this.ensureLoaded();
    const filters = new Set<string>();
    for (const m of this.mappings) {
      filters.add(m.topicFilter);
      if (m.rules.format === 'sparkplug') {
        const [, group, , edge] = m.topicFilter.split('/');
        const one = (level: string | undefined) => (level === undefined || level === '#' ? '+' : level);
        filters.add(`spBv1.0/${one(group)}/+/${one(edge)}`);
      }
    }
    return [...filters];
  }

  /**
   * The keys that order a message against others (KeyedPipeline): the machines it writes to, as the mappings
   * see them now; a Sparkplug message also its edge node, whose session (aliases, seq, devices) it reads and
   * changes. Messages without a common key are processed in parallel.
   */
  async laneKeys(message: MessageRef): Promise<string[]> {
    await this.ensureLoaded();
    const topic = parseSparkplugTopic(message.topic);
    const keys = new Set<string>();
    const machinesOf = (format: 'json' | 'sparkplug', asTopic: string) => {
      for (const mapping of this.mappings) {
        if (mapping.rules.format !== format || !topicMatches(mapping.topicFilter, asTopic)) continue;
        const machineId = this.machineOf(mapping, asTopic);
        if (machineId !== null) keys.add(`machine:${machineId}`);
      }
    };
    if (!topic) {
      machinesOf('json', message.topic);
      return keys.size ? [...keys] : [`topic:${message.topic}`];
    }
    const key = `${topic.group}/${topic.edge}`;
    keys.add(`edge:${key}`);
    const devices = topic.type === 'NDEATH' ? [null, ...(this.sessions.get(key)?.devices ?? [])] : [topic.device];
    for (const device of devices) {
      const type = topic.type === 'NDEATH' ? (device ? 'DDEATH' : 'NDEATH') : topic.type;
      machinesOf('sparkplug', ['spBv1.0', topic.group, type, topic.edge, ...(device ? [device] : [])].join('/'));
    }
    return [...keys];
  }

  async handle(message: InboundMessage): Promise<void> {
    await this.ensureLoaded();
    const sparkplugTopic = parseSparkplugTopic(message.topic);
    if (sparkplugTopic) return this.handleSparkplug(message, sparkplugTopic);
    for (const mapping of this.mappings) {
      if (mapping.rules.format !== 'json' || !topicMatches(mapping.topicFilter, message.topic)) continue;
      const machineId = this.machineOf(mapping, message.topic);
      if (machineId === null) continue;
      const read = readJsonPayload(mapping.rules, Buffer.from(message.payload).toString('utf8'));
      if (!read.ok) {
        this.logger.warn({ topic: message.topic, mappingId: mapping.id, reason: read.reason }, 'MQTT payload not read');
        continue;
      }
      await this.writer.reading(mapping.id, machineId, message, read.reading, message.topic);
    }
  }

  private machineOf(mapping: MqttMapping, topic: string): number | null {
    if (mapping.machineId !== null) return mapping.machineId;
    const name = topicLevel(topic, mapping.machineLevel!);
    const id = name === null ? undefined : this.machinesByName.get(name);
    if (id === undefined) this.logger.debug({ topic, mappingId: mapping.id, name }, 'MQTT topic names no machine');
    return id ?? null;
  }

  private async handleSparkplug(message: InboundMessage, topic: SparkplugTopic): Promise<void> {
    const payload = message.sparkplug;
    if (!payload) {
      this.logger.warn({ topic: message.topic }, 'Sparkplug B payload did not decode');
      return;
    }
    const key = `${topic.group}/${topic.edge}`;
    if (topic.type === 'NBIRTH') this.sessions.set(key, newEdgeSession());
    const session = this.sessions.get(key) ?? this.sessions.set(key, newEdgeSession()).get(key)!;
    const gap = followSeq(session, topic.type, payload.seq);
    if (gap) this.logger.warn({ edge: key, ...gap }, 'Sparkplug B sequence gap: messages were missed');
    const unknownAlias = (topic.type === 'NDATA' || topic.type === 'DDATA') && hasUnknownAlias(session, payload);
    if (unknownAlias) this.logger.warn({ edge: key, topic: message.topic }, 'Sparkplug B metric by an unknown alias');
    if (gap || unknownAlias) this.askRebirth(topic.group, topic.edge);
    if (topic.device && topic.type !== 'DDEATH') session.devices.add(topic.device);

    switch (topic.type) {
      case 'NBIRTH':
      case 'DBIRTH':
        learnAliases(session, payload);
        return this.sparkplugData(message, topic, session, payload);
      case 'NDATA':
      case 'DDATA':
        return this.sparkplugData(message, topic, session, payload);
      case 'NDEATH':
        // The node and every device under it lose their signal, as the mappings see them by device topic.
        for (const device of [null, ...session.devices])
          await this.sparkplugDeath(message, { ...topic, device }, device ? 'DDEATH' : 'NDEATH');
        return;
      case 'DDEATH':
        return this.sparkplugDeath(message, topic, 'DDEATH');
      default:
        return;
    }
  }

  /** Asks the node to publish its births again (its aliases and current values), at most once per REBIRTH_EVERY_MS. */
  private askRebirth(group: string, edge: string): void {
    const key = `${group}/${edge}`;
    const now = this.clock.now().getTime();
    const last = this.rebirthAt.get(key);
    if (!this.onRebirth || (last !== undefined && now - last < REBIRTH_EVERY_MS)) return;
    this.rebirthAt.set(key, now);
    this.logger.warn({ edge: key }, 'Sparkplug B Rebirth requested');
    this.onRebirth({ group, edge, at: now });
  }

  private async sparkplugData(
    message: InboundMessage,
    topic: SparkplugTopic,
    session: EdgeSession,
    payload: SparkplugPayload,
  ): Promise<void> {
    const metrics = metricsByName(session, payload);
    for (const mapping of this.mappings) {
      if (mapping.rules.format !== 'sparkplug' || !topicMatches(mapping.topicFilter, message.topic)) continue;
      const machineId = this.machineOf(mapping, message.topic);
      if (machineId === null) continue;
      const reading = readSparkplugMetrics(mapping.rules, metrics, payload);
      await this.writer.reading(mapping.id, machineId, message, reading, `${topic.group}/${topic.edge}/${topic.device ?? ''}`);
    }
  }

  /** A death: the machines of the mappings that match the dead node's or device's topic go to their no-signal code. */
  private async sparkplugDeath(message: InboundMessage, topic: SparkplugTopic, type: 'NDEATH' | 'DDEATH'): Promise<void> {
    const asTopic = ['spBv1.0', topic.group, type, topic.edge, ...(topic.device ? [topic.device] : [])].join('/');
    const done = new Set<number>();
    for (const mapping of this.mappings) {
      if (mapping.rules.format !== 'sparkplug' || !topicMatches(mapping.topicFilter, asTopic)) continue;
      const machineId = this.machineOf(mapping, asTopic);
      if (machineId === null || done.has(machineId)) continue;
      done.add(machineId);
      // On receipt: a last will was written when the node connected, its timestamp is not the death's.
      await this.writer.state(mapping.id, machineId, message, mapping.noSignalCodeId ?? this.noDataCodeId, null, 'death');
    }
  }
}
