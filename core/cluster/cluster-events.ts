/**
 * The inter-instance channel's event map: what one app instance tells the others that share its
 * database (transport: db/cluster-channel.ts, PostgreSQL LISTEN/NOTIFY). Every event is validated
 * on arrival with its schema here; an instance never trusts a payload it did not make.
 */
import { z } from 'zod';
import { categorySchema } from '../schemas/setup.schema.js';

const id = z.number().int();
const iso = z.string().min(1).max(40);

/**
 * A change committed on some instance (the post-commit hook, db/change-feed.ts). Readers that cache
 * or derive from shop-floor data (OEE roll-ups, live screens, the credential cache, the scheduler)
 * follow these, wherever the change was committed.
 */
export const committedChangeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('machine-state'),
    machineId: id,
    activityCodeId: id,
    category: categorySchema,
    /** ISO time the current state began. */
    since: iso,
    jobId: id.nullable(),
    operatorId: id.nullable(),
  }),
  /** The timeline of a machine was re-projected from `from` on (late events, corrections). */
  z.object({ kind: z.literal('timeline'), machineId: id, from: iso }),
  z.object({ kind: z.literal('job'), machineId: id, jobId: id, action: z.enum(['started', 'ended', 'updated']) }),
  z.object({ kind: z.literal('production'), machineId: id, jobId: id.nullable(), from: iso, to: iso, good: z.number(), rejects: z.number() }),
  z.object({ kind: z.literal('operator'), machineId: id, operatorId: id.nullable() }),
  /** A shift started or ended: the machine's `offShift` flipped at `at`. */
  z.object({ kind: z.literal('shift'), machineId: id, offShift: z.boolean(), at: iso }),
  z.object({ kind: z.literal('setup'), entity: z.string().min(1).max(40), id: id.nullable() }),
]);

export type CommittedChange = z.infer<typeof committedChangeSchema>;

/** Event name → payload schema. Add an event here and both ends are typed and checked. */
export const clusterEventSchemas = {
  change: committedChangeSchema,
} as const;

export type ClusterEventName = keyof typeof clusterEventSchemas;
export type ClusterEvents = { [K in ClusterEventName]: z.infer<(typeof clusterEventSchemas)[K]> };

/** One event on the wire. */
export type ClusterEvent = { [K in ClusterEventName]: { type: K; data: ClusterEvents[K] } }[ClusterEventName];

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
