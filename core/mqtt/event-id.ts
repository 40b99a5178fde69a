import { createHash } from 'node:crypto';

/**
 * The event id of what a message carried (issue 21): a hash of the topic, the payload and what the message
 * produced (`part`: state, good, rejects, death), so a QoS 1 redelivery of the same message is a duplicate of
 * every write it made and nothing is counted twice. 32 hex characters, prefixed `mqtt:`.
 */
export function messageEventId(topic: string, payload: Uint8Array | string, part: string): string {
  const hash = createHash('sha256');
  hash.update(topic);
  hash.update('\u0000');
  hash.update(payload);
  hash.update('\u0000');
  hash.update(part);
  return `mqtt:${hash.digest('hex').slice(0, 32)}`;
}
