import { z } from 'zod';
import { AppError } from '../core/errors.js';
import type { TabletCommandName, TabletState } from '../core/realtime/tablet-events.js';
import type { Category, JobStartInputType } from '../core/schemas/setup.schema.js';
import { BUILT_IN_CODES } from '../core/state/built-in-codes.js';
import { cycleTimeKeys, idealCycleTimeFromTablet, requestedJobStartData, type JobStartInput } from '../core/state/job-start-input.js';
import { LegacyTabletRepository } from '../db/repositories/legacy-tablet.repository.js';
import type { TabletRow } from '../db/repositories/tablet-workflow.repository.js';
import type { Actor } from '../db/repositories/audit.repository.js';
import { TabletCommandService } from './tablet/tablet-commands.js';
import { TabletStateBuilder } from './tablet/tablet-state.js';
import { databaseFailure } from './database-failure.js';
import type { Logger } from 'pino';
import type { AttemptLimiter } from './auth/attempt-limiter.js';
import type { TabletServiceDeps } from './tablet/tablet-deps.js';
import { RecentReplies } from './recent-replies.js';

/** A reply of the DigitME2 tablet routes: always a JSON object, answered with HTTP 200. */
export type LegacyReply = Record<string, unknown>;

/** The POST routes of the DigitME2 tablet app (docs/digitme2.md), without the leading slash. */
export const LEGACY_TABLET_POSTS = [
  'android-login',
  'android-logout',
  'android-start-job',
  'android-update',
  'android-end-job',
  'pausable-pause-job',
  'pausable-android-update',
  'pausable-resume-job',
  'android-update-quantity',
] as const;
export type LegacyTabletPost = (typeof LEGACY_TABLET_POSTS)[number];

/** Shown on the login screen of a tablet that is not paired (the original's text). */
export const NO_MACHINE_TEXT = 'No assigned machine. Pair via the admin interface then press back to refresh.';
export const UNKNOWN_TABLET = 'Unknown tablet';
export const LOGGED_OUT = 'User is logged out';

/** The fields of the end-job and running-total screens. */
const requestedDataOnEnd = {
  quantity_good: { title: 'Good Qty', type: 'number', autofill: '' },
  rejects: { title: 'Rejects Qty', type: 'number', autofill: '' },
} as const;

/** DigitME2's machine states of a code (1 uptime, 2 unplanned downtime, 3 planned downtime). */
const machineStateOf: Record<Category, number> = { running: 1, unplanned_stop: 2, planned_stop: 3, planned_shutdown: 3 };

const deviceUuidPattern = /^[A-Za-z0-9._:-]{1,100}$/;

/** A business refusal: answered `{"success": false, "reason": …}`. */
class Refusal extends Error {}

const refuse = (reason: string): never => {
  throw new Refusal(reason);
};

/**
 * The DigitME2 Android tablet app (docs/digitme2.md) as one more transport over the operator tablet's
 * commands (`TabletCommandService`) and state (`TabletStateBuilder`): this class only translates the
 * app's requests (strings for numbers, its field names, its device_uuid) and replies. Every rule —
 * PIN checks, job and state rules, pausable and running_total behaviour, eventual relabelling — is the
 * shared one.
 *
 * Retries: the app re-sends a POST after 2.5 s without an id. Each tablet's requests run one at a
 * time, and the same request again within 10 s (or while the first still runs) gets the first's reply
 * without acting (`RecentReplies`, in memory). Beyond that the commands refuse most repeats anyway
 * (a second job start, end, pause or resume), and sign-in, activity changes and relabels are
 * naturally idempotent.
 */
export class LegacyTabletService {
  readonly tablets: LegacyTabletRepository;
  private readonly commands: TabletCommandService;
  private readonly states: TabletStateBuilder;
  private readonly replies: RecentReplies<LegacyReply>;

  constructor(private readonly deps: TabletServiceDeps & { pinAttempts: AttemptLimiter; logger: Logger }) {
    this.tablets = new LegacyTabletRepository(deps.dataSource, deps.repos.audit);
    this.commands = new TabletCommandService(deps, deps.pinAttempts);
    this.states = new TabletStateBuilder(deps);
    this.replies = new RecentReplies(deps.clock);
  }

  // GET /check-state

  /** Which screen the tablet shows. An unknown uuid registers a new tablet. */
  async checkState(deviceUuid: unknown): Promise<LegacyReply> {
    try {
      const uuid = this.uuid(deviceUuid);
      let tablet = await this.tablets.findByUuid(uuid);
      if (!tablet) {
        const registered = await this.tablets.register(uuid);
        tablet = registered.tablet;
        if (registered.created) {
          this.deps.logger.info({ tabletId: tablet.id, machineId: tablet.machineId }, 'DigitME2 tablet registered');
          this.deps.feed.publish({ kind: 'setup', entity: 'tablet', id: tablet.id });
        }
      }
      return await this.describe(tablet);
    } catch (err) {
      return this.failure(err);
    }
  }

  private async describe(tablet: TabletRow): Promise<LegacyReply> {
    const state = (await this.states.build([tablet])).get(tablet.id)!;
    const workflow_type = state.workflowType;
    if (!state.machine) return { workflow_type, state: 'no_user', machine: NO_MACHINE_TEXT, device_name: state.tablet.name };
    if (!state.operator) return { workflow_type, state: 'no_user', machine: state.machine.name, device_name: state.tablet.name };
    if (!state.job) {
      return {
        workflow_type,
        state: 'no_job',
        machine_name: state.machine.name,
        user_name: state.operator.username,
        requested_data: requestedJobStartData(
          { jobStartInputType: state.jobStartInputType, jobNumberInputType: state.jobNumberInputType },
          state.jobStartAutofill,
        ),
      };
    }
    const currentId = state.current?.activityCodeId ?? BUILT_IN_CODES.down;
    const category = state.current?.category ?? 'unplanned_stop';
    // The current code may be one the tablet does not offer (set by a device): its colour still shows.
    const colour =
      state.codes.find((c) => c.id === currentId)?.colour ??
      (await this.deps.repos.activityCodes.list()).find((c) => c.id === currentId)?.colour;
    const reply: LegacyReply = {
      machine_id: state.machine.id,
      workflow_type,
      state: state.paused ? 'paused' : 'active_job',
      job_number: state.job.jobNumber,
      current_activity_code_id: currentId,
      current_machine_state: machineStateOf[category],
      colour: androidColour(colour),
      activity_codes: state.codes.map((c) => ({
        activity_code_id: c.id,
        colour: androidColour(c.colour),
        description: c.shortDescription,
      })),
      requested_data_on_end: requestedDataOnEnd,
    };
    if (state.workflowType === 'running_total' && state.runningTotal) {
      reply.last_update = Date.parse(state.runningTotal.lastUpdate) / 1000;
      reply.current_quantity = state.job.good;
      reply.update_frequency = state.runningTotal.updateFrequencySeconds;
    }
    return reply;
  }

  // The POST routes.

  /** Answers one POST of the app; never throws. */
  async post(route: LegacyTabletPost, body: Record<string, unknown>): Promise<LegacyReply> {
    let uuid: string;
    try {
      uuid = this.uuid(body.device_uuid);
    } catch (err) {
      return this.failure(err);
    }
    // A logout is never replayed: signing out twice acts once anyway, and the second must answer
    // "User is logged out" as DigitME2 did, however soon it comes.
    return this.replies.run(
      uuid,
      RecentReplies.keyOf(route, body),
      async () => {
        try {
          const tablet = await this.tablets.findByUuid(uuid);
          if (!tablet) return refuse(UNKNOWN_TABLET);
          return await this.handlers[route](tablet, body);
        } catch (err) {
          return this.failure(err);
        }
      },
      route !== 'android-logout',
    );
  }

  private readonly handlers: Record<LegacyTabletPost, (tablet: TabletRow, body: Record<string, unknown>) => Promise<LegacyReply>> = {
    'android-login': async (tablet, body) => {
      const userId = id(body, 'user_id');
      const pin = text(body, 'password');
      paired(tablet);
      // A PIN is 4 to 8 digits; anything else cannot be right (and says nothing about the user).
      if (!/^\d{4,8}$/.test(pin)) return refuse('Wrong user id or PIN');
      await this.run(tablet, 'operator:sign-in', { userId, pin });
      return ok();
    },

    'android-logout': async (tablet) => {
      if (tablet.operatorId === null) return refuse(LOGGED_OUT);
      await this.signOut(tablet, { userId: tablet.operatorId, apiKeyId: null });
      return ok();
    },

    'android-start-job': async (tablet, body) => {
      signedIn(tablet);
      const jobNumber = text(body, 'job_number').trim();
      if (jobNumber === '') return refuse('No job_number supplied');
      const machine = await this.machineOf(tablet);
      const ideal = idealCycleTimeFromTablet(machine.jobStartInputType, body);
      if (!ideal.ok) return refuse(ideal.message);
      await this.run(tablet, 'job:start', { jobNumber, ...jobStartInput(machine.jobStartInputType, body) });
      return ok();
    },

    'android-update': async (tablet, body) => {
      const activityCodeId = id(body, 'activity_code_id');
      signedIn(tablet);
      await this.run(tablet, 'activity:set', { activityCodeId });
      return ok();
    },

    'android-end-job': async (tablet, body) => {
      const good = count(body, 'quantity_good');
      const rejects = count(body, 'rejects');
      signedIn(tablet);
      await this.run(tablet, 'job:end', { good, rejects });
      return ok();
    },

    'pausable-pause-job': async (tablet) => {
      signedIn(tablet);
      await this.run(tablet, 'job:pause', {});
      return ok();
    },

    /**
     * The reason picked on the paused screen relabels the current stop in place: a state event with that
     * code at the stop's start, through the shared `activity:set` (same write path, same checks). Recorded
     * after the stop's own event at the same instant, it wins, so the timeline shows one stop with the new
     * code from its start; the pause is not split. Picking the code it already has changes nothing.
     */
    'pausable-android-update': async (tablet, body) => {
      const activityCodeId = id(body, 'activity_code_id');
      signedIn(tablet);
      const state = await this.stateOf(tablet);
      if (!state.current || state.current.category === 'running') return refuse('The job is not paused');
      if (state.current.activityCodeId === activityCodeId) return ok();
      const code = state.codes.find((c) => c.id === activityCodeId);
      if (code?.category === 'running') return refuse('The reason must be a stop code');
      await this.run(tablet, 'activity:set', { activityCodeId, at: state.current.since });
      return ok();
    },

    /**
     * Back to running. `downtime_reason` is the description of the code picked on the paused screen,
     * which `pausable-android-update` has normally applied already; if it names another offered stop
     * code, the pause is relabelled with it (the shared resume does that). Non-empty notes are appended
     * to the job's notes as "HH:MM - reason - notes".
     */
    'pausable-resume-job': async (tablet, body) => {
      if (typeof body.downtime_reason !== 'string') return refuse('No downtime_reason supplied');
      const notes = typeof body.notes === 'string' ? body.notes.trim().slice(0, 500) : '';
      signedIn(tablet);
      const state = await this.stateOf(tablet);
      const reason = state.codes.find((c) => c.shortDescription === body.downtime_reason && c.category !== 'running');
      await this.run(tablet, 'job:resume', {
        ...(reason && reason.id !== state.current?.activityCodeId ? { reason: reason.id } : {}),
        ...(notes ? { notes } : {}),
      });
      return ok();
    },

    'android-update-quantity': async (tablet, body) => {
      const good = count(body, 'quantity_good');
      const rejects = count(body, 'rejects');
      signedIn(tablet);
      await this.run(tablet, 'production:record', { good, rejects });
      const state = await this.stateOf(tablet);
      return {
        success: true,
        quantity_produced: state.job?.good ?? 0,
        quantity_rejects: state.job?.rejects ?? 0,
        last_update: state.runningTotal ? Date.parse(state.runningTotal.lastUpdate) / 1000 : this.deps.clock.now().getTime() / 1000,
      };
    },
  };

  // Force logout (admin).

  /**
   * Signs the operator out of a tablet through the shared sign-out (audited with the admin as the
   * actor). The tablet's DigitME2 websocket sees its operator go and sends `{"action": "logout"}`.
   * Returns whether someone was signed in.
   */
  async forceLogout(actor: Actor, tabletId: number): Promise<boolean> {
    const tablet = await this.deps.repos.tabletWorkflow.find(tabletId);
    if (!tablet) throw AppError.notFound(`Tablet ${tabletId}`);
    const signedOut = tablet.operatorId !== null ? await this.signOut(tablet, actor) : false;
    await this.deps.dataSource.transaction((tx) =>
      this.deps.repos.audit.record(tx, actor, {
        action: 'tablet.force-logout',
        entity: 'tablet',
        entityId: tabletId,
        machineId: tablet.machineId,
        before: { operatorId: tablet.operatorId },
        after: { operatorId: null },
      }),
    );
    // Tablet sockets (this instance and, through the realtime hub, the others) re-read this tablet.
    this.deps.feed.publish({ kind: 'setup', entity: 'tablet', id: tabletId });
    return signedOut;
  }

  // Helpers.

  private async signOut(tablet: TabletRow, actor: Actor): Promise<boolean> {
    if (tablet.machineId === null) return this.tablets.signOutUnpaired(actor, tablet.id);
    await this.run(tablet, 'operator:sign-out', {});
    return true;
  }

  private run(tablet: TabletRow, name: TabletCommandName, payload: Record<string, unknown>) {
    return this.commands.run(tablet.id, name, payload);
  }

  private async stateOf(tablet: TabletRow): Promise<TabletState> {
    return (await this.states.build([tablet])).get(tablet.id)!;
  }

  private async machineOf(tablet: TabletRow) {
    const machineId = paired(tablet);
    const machine = (await this.deps.repos.tabletWorkflow.machines([machineId])).get(machineId);
    if (!machine) return refuse(NO_MACHINE_TEXT);
    return machine;
  }

  private uuid(value: unknown): string {
    if (value === undefined || value === null || value === '') return refuse('No device_uuid supplied');
    if (typeof value !== 'string' || !deviceUuidPattern.test(value)) return refuse(UNKNOWN_TABLET);
    return value;
  }

  /** Refusals and errors as the app's failure reply; unexpected errors are logged. */
  private failure(err: unknown): LegacyReply {
    if (err instanceof Refusal) return fail(err.message);
    if (err instanceof AppError)
      return fail(err.code === 'unauthenticated' && err.message === 'Sign in on the tablet first' ? LOGGED_OUT : err.message);
    if (err instanceof z.ZodError) {
      const issue = err.issues[0];
      return fail(`Invalid ${issue?.path.join('.') || 'request'}: ${issue?.message ?? 'not accepted'}`);
    }
    const database = databaseFailure(err)?.kind;
    if (database === 'unavailable') {
      this.deps.logger.warn({ err }, 'DigitME2 tablet request: database unavailable');
      return fail('The server cannot reach its database; try again shortly');
    }
    if (database === 'out_of_resources') {
      this.deps.logger.warn({ err }, 'DigitME2 tablet request: database out of resources');
      return fail("The server's database is out of space or resources; nothing was stored. Try again later");
    }
    this.deps.logger.error({ err }, 'DigitME2 tablet request failed');
    return fail('Server error; try again');
  }
}

const ok = (): LegacyReply => ({ success: true });
const fail = (reason: string): LegacyReply => ({ success: false, reason });

function paired(tablet: TabletRow): number {
  return tablet.machineId ?? refuse(NO_MACHINE_TEXT);
}

/** Routes that act for the operator: the tablet must be paired and someone signed in. */
function signedIn(tablet: TabletRow): void {
  paired(tablet);
  if (tablet.operatorId === null) refuse(LOGGED_OUT);
}

function present(body: Record<string, unknown>, key: string): unknown {
  const value = body[key];
  if (value === undefined || value === null || value === '') return refuse(`No ${key} supplied`);
  return value;
}

/** Text the operator typed; the app sends strings, a number is taken as its digits. */
function text(body: Record<string, unknown>, key: string): string {
  const value = present(body, key);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return refuse(`Invalid ${key}`);
}

/** A whole number ≥ 0 as the app sends it: `"10"` (or 10, or "10.0"). */
function count(body: Record<string, unknown>, key: string): number {
  const value = present(body, key);
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d{1,10}(\.0*)?\s*$/.test(value)
        ? Number(value.trim())
        : Number.NaN;
  if (Number.isInteger(n) && n >= 0 && n <= 1_000_000_000) return n;
  return refuse(`${key} must be a whole number of 0 or more`);
}

/** An id: a number, or its digits as a string. */
function id(body: Record<string, unknown>, key: string): number {
  const value = present(body, key);
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d{1,10}\s*$/.test(value) ? Number(value.trim()) : Number.NaN;
  if (Number.isInteger(n) && n >= 1 && n <= 2_147_483_647) return n;
  return refuse(`Invalid ${key}`);
}

/**
 * The `/android-start-job` fields as the shared `job:start` input (already checked by
 * `idealCycleTimeFromTablet`, so they read as positive numbers): the command converts them again, with
 * the one shared conversion.
 */
function jobStartInput(type: JobStartInputType, body: Record<string, unknown>): { input?: JobStartInput } {
  const keys = cycleTimeKeys(type);
  if (keys.length === 0) return {};
  const num = (key: string) => Number(String(body[key]).trim());
  if (type === 'planned_qty_minutes')
    return { input: { plannedQuantity: num('planned_quantity'), plannedTimeMinutes: num('planned_time') } };
  return { input: { value: num('ideal_cycle_time') } };
}

/** Android parses `#RRGGBB` (or `#AARRGGBB`) only: `#RGB` is widened, anything else shown grey. */
function androidColour(colour: string | undefined): string {
  if (colour && /^#[0-9A-Fa-f]{6}$/.test(colour)) return colour;
  if (colour && /^#[0-9A-Fa-f]{3}$/.test(colour)) return `#${[...colour.slice(1)].map((c) => c + c).join('')}`;
  return '#808080';
}
