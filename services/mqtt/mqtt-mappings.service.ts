import type { MqttMapping, MqttMappingInput } from '../../core/schemas/mqtt.schema.js';
import type { MqttMappingEntity } from '../../db/entities/index.js';
import type { Actor } from '../../db/repositories/audit.repository.js';
import type { Repositories } from '../../db/repositories/index.js';

export function toMqttMapping(m: MqttMappingEntity): MqttMapping {
  return {
    id: m.id,
    name: m.name,
    enabled: m.enabled,
    topicFilter: m.topicFilter,
    machineId: m.machineId,
    machineLevel: m.machineLevel,
    noSignalCodeId: m.noSignalCodeId,
    rules: m.rules,
  };
}

/** The admin's MQTT mappings (docs/mqtt.md "Mappings"): audited set-up writes, announced as `mqtt-mapping` changes. */
export class MqttMappingsService {
  constructor(private readonly repos: Pick<Repositories, 'mqttMappings'>) {}

  async list(): Promise<MqttMapping[]> {
    return (await this.repos.mqttMappings.list()).map(toMqttMapping);
  }

  async get(id: number): Promise<MqttMapping> {
    return toMqttMapping(await this.repos.mqttMappings.get(id));
  }

  async create(actor: Actor, input: MqttMappingInput): Promise<MqttMapping> {
    return toMqttMapping(await this.repos.mqttMappings.create(actor, input));
  }

  /** A whole mapping replaces the stored one. */
  async update(actor: Actor, id: number, input: MqttMappingInput): Promise<MqttMapping> {
    return toMqttMapping(await this.repos.mqttMappings.update(actor, id, input));
  }

  delete(actor: Actor, id: number): Promise<void> {
    return this.repos.mqttMappings.delete(actor, id);
  }
}
