import type { CommittedChange } from '../../core/cluster/committed-change.js';
import type { OeeResult } from '../../core/oee/oee-types.js';
import type { MqttRepository } from '../../db/repositories/mqtt.repository.js';
import type { ChangeFeed } from '../change-feed.js';
import type { OeeService } from '../oee/oee.service.js';

export interface OutboundMessage {
  topic: string;
  payload: string;
}

/** A name as one topic level: no `/`, `+`, `#` or NUL. */
export function topicSafe(name: string): string {
  return name.replaceAll('\u0000', '_').replace(/[/+#]/g, '_').trim() || '_';
}

/**
 * What OEE Monitor publishes under MQTT_PUBLISH_PREFIX (docs/mqtt.md "Publishing"): each machine's state when it
 * changes and its shift OEE every minute, retained, at `<prefix>/<group>/<machine>/state` and `/oee` (machines
 * without a group under `ungrouped`).
 */
export class MqttPublishService {
  private names: Promise<Awaited<ReturnType<MqttRepository['publishNames']>>> | null = null;

  constructor(
    private readonly repo: Pick<MqttRepository, 'publishNames'>,
    private readonly oee: Pick<OeeService, 'currentShiftOee'>,
    private readonly prefix: string,
  ) {}

  /** Every committed state change of any instance, as a message to publish; set-up changes refresh the names. */
  listen(feed: Pick<ChangeFeed, 'subscribe'>, publish: (message: OutboundMessage) => void): () => void {
    return feed.subscribe(
      (change) => {
        if (change.kind === 'setup' && ['machine', 'group', 'activity-code'].includes(change.entity)) this.names = null;
        if (change.kind !== 'machine-state') return;
        this.stateMessage(change).then(
          (m) => m && publish(m),
          () => undefined,
        );
      },
      { remote: true },
    );
  }

  private loadNames() {
    this.names ??= this.repo.publishNames().catch((err: unknown) => {
      this.names = null;
      throw err;
    });
    return this.names;
  }

  private topicOf(machine: { name: string; group: string | null }, leaf: 'state' | 'oee'): string {
    return `${this.prefix}/${topicSafe(machine.group ?? 'ungrouped')}/${topicSafe(machine.name)}/${leaf}`;
  }

  async stateMessage(change: Extract<CommittedChange, { kind: 'machine-state' }>): Promise<OutboundMessage | null> {
    const { machines, codes } = await this.loadNames();
    const machine = machines.find((m) => m.id === change.machineId);
    if (!machine) return null;
    return {
      topic: this.topicOf(machine, 'state'),
      payload: JSON.stringify({
        machineId: machine.id,
        machine: machine.name,
        group: machine.group,
        activityCodeId: change.activityCodeId,
        code: codes.get(change.activityCodeId) ?? null,
        category: change.category,
        since: change.since,
        jobId: change.jobId,
        operatorId: change.operatorId,
      }),
    };
  }

  /** Every machine's current-shift OEE. */
  async oeeMessages(): Promise<OutboundMessage[]> {
    const { machines } = await this.loadNames();
    const messages: OutboundMessage[] = [];
    for (const machine of machines) {
      const shift: OeeResult = await this.oee.currentShiftOee(machine.id);
      messages.push({
        topic: this.topicOf(machine, 'oee'),
        payload: JSON.stringify({
          machineId: machine.id,
          machine: machine.name,
          group: machine.group,
          from: shift.from,
          to: shift.to,
          shiftName: shift.shiftName ?? null,
          oee: shift.oee,
          availability: shift.availability,
          performance: shift.performance,
          quality: shift.quality,
          goodCount: shift.goodCount,
          rejectCount: shift.rejectCount,
          totalCount: shift.totalCount,
        }),
      });
    }
    return messages;
  }
}
