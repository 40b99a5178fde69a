import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { mqttSender } from '../../core/live-window.js';
import { messageEventId } from '../../core/mqtt/event-id.js';
import { countIncrement, type CountReading, type Reading } from '../../core/mqtt/readings.js';
import type { MqttRepository } from '../../db/repositories/mqtt.repository.js';
import type { ProductionService } from '../production.service.js';
import type { StateEventsService } from '../state-events.service.js';

/** One message as the transport hands it over: its topic and payload bytes. */
export interface MessageRef {
  topic: string;
  payload: Uint8Array;
}

/**
 * Writes what a message said about one machine through the services HTTP uses (StateEventsService,
 * ProductionService), with event ids derived from the message, so a redelivery is a duplicate of each write.
 * A refusal (an Up without a job, a time outside the live window) is logged and the message is done with.
 */
export class MqttWriter {
  constructor(
    private readonly stateEvents: Pick<StateEventsService, 'record'>,
    private readonly production: Pick<ProductionService, 'record'>,
    private readonly counters: Pick<MqttRepository, 'counter' | 'setCounter'>,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async state(
    mappingId: number,
    machineId: number,
    message: MessageRef,
    activityCodeId: number,
    at: Date | null,
    part = 'state',
  ): Promise<void> {
    const eventId = messageEventId(message.topic, message.payload, `${part}:${machineId}`);
    // A death is no contact: the No data watcher must not take it for the machine being heard from again.
    const contact = part !== 'death';
    await this.refusalsLogged(message.topic, () =>
      this.stateEvents.record(
        [{ machineId, at: at ?? this.clock.now(), activityCodeId, eventId, sender: mqttSender(mappingId), contact }],
        'mqtt',
      ),
    );
  }

  /** A reading's state and counts; `counterKey` names the source of its cumulative counters (with `:good`, `:rejects`). */
  async reading(mappingId: number, machineId: number, message: MessageRef, reading: Reading, counterKey: string): Promise<void> {
    if (reading.unknownState !== null) {
      this.logger.warn({ topic: message.topic, mappingId, value: reading.unknownState }, 'MQTT state value not in the mapping, ignored');
    }
    if (reading.activityCodeId !== null) await this.state(mappingId, machineId, message, reading.activityCodeId, reading.at);
    const at = reading.at ?? this.clock.now();
    const good = await this.increment(mappingId, `${counterKey}:good`, reading.good, at);
    const rejects = await this.increment(mappingId, `${counterKey}:rejects`, reading.rejects, at);
    if (good.increment + rejects.increment > 0) {
      const eventId = messageEventId(message.topic, message.payload, `counts:${machineId}`);
      await this.refusalsLogged(message.topic, () =>
        this.production.record({
          machineId,
          good: good.increment,
          rejects: rejects.increment,
          at,
          eventId,
          source: 'mqtt',
          sender: mqttSender(mappingId),
        }),
      );
    }
    // After the counts are committed: a crash in between redelivers the message, which counts the same
    // increment again under the same event id, a duplicate.
    await good.commit();
    await rejects.commit();
  }

  /**
   * The increment of a count reading; a cumulative counter's new value is stored by `commit`, after the counts.
   * A counter reading older than the stored one (a late redelivery) counts nothing and changes nothing.
   */
  private async increment(mappingId: number, key: string, reading: CountReading | null, at: Date) {
    const none = { increment: 0, commit: async () => undefined };
    if (!reading) return none;
    if (reading.mode === 'increment') return { increment: countIncrement(reading, null).increment, commit: none.commit };
    const stored = await this.counters.counter(mappingId, key);
    if (stored && at.getTime() < stored.at.getTime()) return none;
    const last = stored?.value ?? null;
    const { increment, next, reset } = countIncrement(reading, last);
    if (reset) this.logger.info({ mappingId, key, last, value: reading.value }, 'MQTT counter reset');
    return {
      increment,
      commit: async () => {
        if (next !== null && (next !== last || at.getTime() !== stored?.at.getTime()))
          await this.counters.setCounter(mappingId, key, next, at);
      },
    };
  }

  private async refusalsLogged(topic: string, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      this.logger.warn({ topic, code: err.code, reason: err.message }, 'MQTT message refused');
    }
  }
}
