/**
 * The inter-instance channel: what one app instance tells the others that share its database, and
 * what it may rely on. The one way instances talk (transport: db/cluster-channel.ts, PostgreSQL
 * LISTEN/NOTIFY; docs/instances-and-rules.md). Every relay and every cache invalidation between
 * instances goes through it; Socket.IO carries nothing between instances.
 *
 * What the channel guarantees, and what it does not:
 * - **At most once.** An event reaches each other instance once or not at all. It is lost when the
 *   sender stops (or crashes) before handing it to PostgreSQL, when more than 50 000 events wait while
 *   the database is unreachable (the oldest go), and while a receiver's listening connection is down.
 *   There is no retry from the receiving side and no replay: nothing is stored. One repeat is
 *   possible: a NOTIFY whose answer was lost with its connection is sent again, so every listener
 *   must take an event twice in its stride (invalidations are idempotent; `/live` redraws the same state).
 * - **A lost listening connection is reported**: once it listens again, the receiver's `onGap`
 *   listeners are told that events may have been missed, so they drop or re-read what they cache.
 *   A sender's crash is not reported; every copy kept from events has its own bound (docs/instances-and-rules.md).
 * - **In order from one sender**: the events of one instance arrive at every other instance in the
 *   order they were sent. Events of different senders have no order between them.
 * - **Never back to the sender**: an instance's own listeners hear its changes in process (the change
 *   feed, services/change-feed.ts), not through the channel.
 * - **Checked on arrival**: each event is validated with its schema here; an unknown or invalid event
 *   (an instance of another version) is dropped and logged, never trusted.
 * - **Small events**: one event must fit one NOTIFY (`MAX_CLUSTER_EVENT_BYTES` of JSON); a larger one
 *   is refused by `send` (it returns false), so a sender can fall back (the `/live` relay does).
 */
import { z } from 'zod';
import { machineOeeUpdatedSchema, machineStateChangedSchema } from '../realtime/live-events.schema.js';
import { committedChangeSchema } from './committed-change.js';

/** The largest event (its JSON) that travels: NOTIFY payloads stay under 8000 bytes, with room for the envelope. */
export const MAX_CLUSTER_EVENT_BYTES = 7_500;

const roomsSchema = z.array(z.string().min(1).max(40)).min(1).max(8);

/**
 * A `/live` broadcast built by the instance that committed the change (names looked up, OEE
 * computed), for the other instances to deliver to their own screens in these rooms.
 */
export const liveBroadcastSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('machine:state-changed'), rooms: roomsSchema, payload: machineStateChangedSchema }),
  z.object({ event: z.literal('machine:oee-updated'), rooms: roomsSchema, payload: machineOeeUpdatedSchema }),
]);
export type LiveBroadcast = z.infer<typeof liveBroadcastSchema>;

/** Event name → payload schema. Add an event here and both ends are typed and checked. */
export const clusterEventSchemas = {
  /** A change committed on the sending instance (core/cluster/committed-change.ts). */
  change: committedChangeSchema,
  /** A `/live` broadcast of the sending instance (realtime/live/live-relay.ts). */
  live: liveBroadcastSchema,
} as const;

export type ClusterEventName = keyof typeof clusterEventSchemas;
export type ClusterEvents = { [K in ClusterEventName]: z.infer<(typeof clusterEventSchemas)[K]> };

/** One event on the wire. */
export type ClusterEvent = { [K in ClusterEventName]: { type: K; data: ClusterEvents[K] } }[ClusterEventName];

/** The channel as its users see it (the change feed, the `/live` relay); db/cluster-channel.ts implements it. */
export interface ClusterChannel {
  /**
   * Sends an event to every other instance, after the events this instance sent before it. False
   * when it cannot travel: larger than `MAX_CLUSTER_EVENT_BYTES`, or the channel is closed.
   */
  send<K extends ClusterEventName>(type: K, data: ClusterEvents[K]): boolean;
  /** Resolves once every event sent so far has been handed to PostgreSQL, or an attempt failed (then retried). */
  flushed(): Promise<void>;
  /** Events from the other instances, valid and in order. Returns the unsubscribe function. */
  onEvent(listener: (event: ClusterEvent) => void): () => void;
  /** Told when events from other instances may have been missed (the listening connection was lost and is back). */
  onGap(listener: () => void): () => void;
}

/** A NOTIFY payload: the sending instance and its events, in the order they were sent. */
export const clusterMessageSchema = z.object({
  from: z.string().min(1).max(64),
  events: z.array(z.object({ type: z.string(), data: z.unknown() })).max(10_000),
});

/**
 * The events of a message that are known and valid, in order; the rest are counted as dropped (an
 * instance of another version may send events this one does not know).
 */
export function parseClusterEvents(events: readonly { type: string; data: unknown }[]): { events: ClusterEvent[]; dropped: number } {
  const out: ClusterEvent[] = [];
  let dropped = 0;
  for (const e of events) {
    const schema = (clusterEventSchemas as Record<string, z.ZodType | undefined>)[e.type];
    const parsed = schema?.safeParse(e.data);
    if (parsed?.success) out.push({ type: e.type, data: parsed.data } as ClusterEvent);
    else dropped++;
  }
  return { events: out, dropped };
}
