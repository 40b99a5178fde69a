import type { MqttClient } from 'mqtt';

interface Entry {
  messageId: number;
  committed: boolean;
}

/**
 * The PUBACKs of one connection, sent in the order the PUBLISHes came (as MQTT 3.1.1 and 5 require of a
 * client), each once its message and every one before it is committed: an acknowledged message is a
 * committed one. mqtt.js sends a PUBACK as soon as its `handleMessage` callback is called, and reads the
 * next message only then; the bridge calls that callback with `DEFERRED` (mqtt.js then reads on without
 * acknowledging) and acknowledges here. A connection that closes drops its unsent PUBACKs: the broker
 * delivers those messages again on the next one.
 */
export class OrderedAcks {
  private entries: Entry[] = [];

  constructor(private readonly client: MqttClient) {
    client.on('close', () => (this.entries = []));
  }

  /** A QoS 1 message received; `commit` when it is committed. */
  expect(messageId: number): { commit(): void } {
    const entry: Entry = { messageId, committed: false };
    const entries = this.entries;
    entries.push(entry);
    return {
      commit: () => {
        entry.committed = true;
        if (entries === this.entries) this.flush();
      },
    };
  }

  /** How many received messages wait for their PUBACK. */
  get waiting(): number {
    return this.entries.length;
  }

  private flush(): void {
    while (this.entries[0]?.committed) {
      const { messageId } = this.entries.shift()!;
      // Never queued for a later connection: on a new one the message is delivered again instead.
      if (this.client.connected) sendPacket(this.client, { cmd: 'puback', messageId });
    }
  }
}

/** What mqtt.js's `handleMessage` callback is given so that it reads on without sending the PUBACK itself. */
export const DEFERRED = new Error('PUBACK deferred until the message is committed');

type PacketSender = { _sendPacket(packet: { cmd: 'puback'; messageId: number }): void };

/** mqtt.js's own packet writer (MqttClient._sendPacket, the one it sends its PUBACKs through). */
function sendPacket(client: MqttClient, packet: { cmd: 'puback'; messageId: number }): void {
  (client as unknown as PacketSender)._sendPacket(packet);
}
