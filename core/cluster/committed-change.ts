/**
 * A change committed to the database, as the post-commit hook (services/change-feed.ts) hands it to
 * this instance's listeners and the cluster channel carries it to the others. Readers that cache or
 * derive from shop-floor data (OEE roll-ups, live screens, tablets, the credential cache, the
 * scheduler) follow these, wherever the change was committed.
 */
import { z } from 'zod';
import { categorySchema } from '../schemas/setup.schema.js';

/** The set-up resources whose writes are announced (the `entity` of a `setup` change, and of its audit entry). */
export const SETUP_ENTITIES = [
  'group',
  'activity-code',
  'shift-pattern',
  'machine',
  'tablet',
  'kiosk-token',
  'api-key',
  'user',
  'site',
  'part',
  'mqtt-mapping',
] as const;
export type SetupEntity = (typeof SETUP_ENTITIES)[number];

/** Set-up edits that can revoke a credential: open sockets signed in with one are checked again. */
export const CREDENTIAL_ENTITIES: readonly SetupEntity[] = ['kiosk-token', 'api-key', 'user'];

const id = z.number().int();
const iso = z.string().min(1).max(40);

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
  z.object({
    kind: z.literal('production'),
    machineId: id,
    jobId: id.nullable(),
    from: iso,
    to: iso,
    good: z.number(),
    rejects: z.number(),
  }),
  z.object({ kind: z.literal('operator'), machineId: id, operatorId: id.nullable() }),
  /** A shift started or ended: the machine's `offShift` flipped at `at`. */
  z.object({ kind: z.literal('shift'), machineId: id, offShift: z.boolean(), at: iso }),
  /**
   * An alert was raised, escalated, acknowledged or resolved (docs/alerts.md "Wall"): readers re-read it,
   * so the change says only which alert, and its machine.
   */
  z.object({ kind: z.literal('alert'), alertId: id, machineId: id }),
  /** A set-up resource was created, edited or deleted (`id` null: several, or not one row). */
  z.object({ kind: z.literal('setup'), entity: z.enum(SETUP_ENTITIES), id: id.nullable() }),
]);

export type CommittedChange = z.infer<typeof committedChangeSchema>;
