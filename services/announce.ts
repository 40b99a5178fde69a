import type { ChangeFeed, CommittedChange } from './change-feed.js';
import type { OutboxWriter } from './outbox-writer.js';

/** After a commit: tell the rest of the app what changed, and wake the InfluxDB relay. */
export function announce(feed: ChangeFeed, outbox: OutboxWriter, changes: CommittedChange[]): void {
  for (const change of changes) feed.publish(change);
  if (changes.length) outbox.notify();
}
