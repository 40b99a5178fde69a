import { DateTime } from 'luxon';
import type { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { applyEdit, changedDays, listVersions } from '../core/calendar/index.js';
import { AppError } from '../core/errors.js';
import type { Role } from '../core/roles.js';
import { codeCause, type Category, type DowntimeCause } from '../core/schemas/setup.schema.js';
import type {
  activityCodeCreateSchema,
  activityCodeUpdateSchema,
  apiKeyCreateSchema,
  groupCreateSchema,
  groupSchema,
  groupUpdateSchema,
  kioskTokenCreateSchema,
  machineCreateSchema,
  machineUpdateSchema,
  shiftPatternCreateSchema,
  shiftPatternUpdateSchema,
  Site,
  tabletCreateSchema,
  tabletUpdateSchema,
  userCreateSchema,
  userUpdateSchema,
} from '../core/schemas/setup.schema.js';
import type { MachineEntity, ShiftPatternEntity } from '../db/entities/index.js';
import type { Actor } from '../db/repositories/audit.repository.js';
import type { Repositories } from '../db/repositories/index.js';
import type { Authenticator } from './auth/authenticator.js';
import { hashSecret, hashToken, newToken } from './auth/hashing.js';
import type { ChangeFeed } from './change-feed.js';
import type { MachineStateService } from './machine-state.service.js';
import type { OeeService } from './oee/oee.service.js';
import { toActivityCode, toApiKey, toKioskToken, toMachine, toShiftPattern, toTablet, toUser } from './setup.mappers.js';
import type { UserService } from './user.service.js';

type Group = z.output<typeof groupSchema>;

type SetupRepositories = Pick<
  Repositories,
  | 'groups'
  | 'activityCodes'
  | 'shiftPatterns'
  | 'shiftPatternEdits'
  | 'oeeData'
  | 'machines'
  | 'site'
  | 'users'
  | 'tablets'
  | 'kioskTokens'
  | 'apiKeys'
  | 'credentials'
>;

export interface SetupServiceDeps {
  repos: SetupRepositories;
  machineStates: Pick<MachineStateService, 'describe'>;
  oee: Pick<OeeService, 'invalidateAll' | 'invalidateShiftPattern' | 'invalidateMachine'>;
  users: Pick<UserService, 'assertNotLastAdmin' | 'retire'>;
  authenticator: Pick<Authenticator, 'forgetApiKeys'>;
  feed: Pick<ChangeFeed, 'delivered'>;
  /** "Today" in the site's zone: where a shift-pattern edit takes effect by default. */
  clock: Clock;
}

/**
 * The set-up resources of docs/api.md (groups, activity codes, shift patterns, machines, site, users,
 * tablets, kiosk tokens, API keys): each write is audited by its store; this service adds what a
 * write means elsewhere (stored OEE to drop, sessions to end, key caches to empty) and answers in
 * the API's shapes (services/setup.mappers.ts), so no hash leaves it.
 */
export class SetupService {
  constructor(private readonly deps: SetupServiceDeps) {}

  // Groups

  // A group's row holds nothing but its API shape: it is answered as stored.
  listGroups(): Promise<Group[]> {
    return this.deps.repos.groups.list();
  }

  createGroup(actor: Actor, input: z.output<typeof groupCreateSchema>): Promise<Group> {
    return this.deps.repos.groups.create(actor, input);
  }

  updateGroup(actor: Actor, id: number, input: z.output<typeof groupUpdateSchema>): Promise<Group> {
    return this.deps.repos.groups.update(actor, id, input);
  }

  deleteGroup(actor: Actor, id: number): Promise<void> {
    return this.deps.repos.groups.delete(actor, id);
  }

  // Activity codes (never deleted: history refers to them)

  async listActivityCodes() {
    return (await this.deps.repos.activityCodes.list()).map(toActivityCode);
  }

  async createActivityCode(actor: Actor, input: z.output<typeof activityCodeCreateSchema>) {
    const cause = checkedCause(input.category, input.cause, undefined);
    return toActivityCode(await this.deps.repos.activityCodes.create(actor, { ...input, cause }));
  }

  /**
   * A new category changes what every stored hour counts as (docs/oee.md): they are all dropped. The cause
   * follows the category (`codeCause`): a code that becomes a running one loses it, a stop keeps its own.
   * The cause alone changes no number.
   */
  async updateActivityCode(actor: Actor, id: number, input: z.output<typeof activityCodeUpdateSchema>) {
    let cause: DowntimeCause | null | undefined;
    if (input.category !== undefined || input.cause !== undefined || input.active === false) {
      const current = await this.deps.repos.activityCodes.get(id);
      // The watcher writes No data whatever the set-up says: it stays an active unplanned stop (docs/oee.md "No data").
      if (current.builtIn !== null && ((input.category ?? current.category) !== current.category || input.active === false))
        throw AppError.conflict(`${current.shortDescription} is built in: its category stays ${current.category} and it stays active`);
      cause = checkedCause(input.category ?? current.category, input.cause, current.cause);
    }
    const code = toActivityCode(await this.deps.repos.activityCodes.update(actor, id, { ...input, cause }));
    if (input.category !== undefined) await this.deps.oee.invalidateAll();
    return code;
  }

  // Shift patterns

  async listShiftPatterns() {
    return (await this.deps.repos.shiftPatterns.list()).map(toShiftPattern);
  }

  async createShiftPattern(actor: Actor, input: z.output<typeof shiftPatternCreateSchema>) {
    return toShiftPattern(await this.deps.repos.shiftPatterns.create(actor, input));
  }

  /**
   * New shifts or exceptions take effect from `effectiveFrom` (default today, site time); the days
   * before keep the version they had (docs/oee.md#shift-pattern-versions). Stored OEE of the
   * pattern's machines is dropped from that date on, when planned time moved.
   */
  async updateShiftPattern(actor: Actor, id: number, input: z.output<typeof shiftPatternUpdateSchema>) {
    const effectiveFrom = input.effectiveFrom ?? (await this.siteToday());
    let moved = false;
    const { after } = await this.deps.repos.shiftPatternEdits.update(actor, id, (row) => {
      const edited = editedPattern(row, input, effectiveFrom);
      moved = edited.planned !== row;
      return { ...edited.planned, name: edited.name };
    });
    if (moved) await this.deps.oee.invalidateShiftPattern(id);
    return toShiftPattern(after);
  }

  /** Every version of the pattern with the days it is in force, oldest first. */
  async listShiftPatternVersions(id: number) {
    return listVersions(await this.deps.repos.shiftPatterns.get(id));
  }

  /**
   * What `updateShiftPattern` with this input would change, without saving it: the machines on the
   * pattern, and the local days from the effective date to today on which one of them has history
   * and planned time differs. Refused as the edit would be (404, 409 for a name in use).
   */
  async shiftPatternImpact(id: number, input: z.output<typeof shiftPatternUpdateSchema>) {
    const { repos } = this.deps;
    const [row, patterns, machines, context, today] = await Promise.all([
      repos.shiftPatterns.get(id),
      repos.shiftPatterns.list(),
      repos.machines.list(),
      repos.oeeData.context({}),
      this.siteToday(),
    ]);
    if (input.name !== undefined && patterns.some((p) => p.id !== id && p.name === input.name)) {
      throw AppError.conflict(`A shift pattern named "${input.name}" already exists`);
    }
    const effectiveFrom = input.effectiveFrom ?? today;
    const users = machines.filter((m) => m.shiftPatternId === id);
    const firstData = context.machines
      .filter((m) => m.shiftPatternId === id && m.firstDataAt !== null)
      .map((m) => DateTime.fromJSDate(m.firstDataAt!, { zone: context.timezone }).toISODate() as string)
      .sort()[0];
    const { planned } = editedPattern(row, input, effectiveFrom);
    const first = firstData === undefined ? null : firstData > effectiveFrom ? firstData : effectiveFrom;
    const days = first === null || planned === row ? [] : changedDays(row, planned, context.timezone, first, today);
    return {
      effectiveFrom,
      today,
      days: days.length,
      firstDay: days[0] ?? null,
      lastDay: days.at(-1) ?? null,
      machines: users.map((m) => ({ id: m.id, name: m.name })),
    };
  }

  deleteShiftPattern(actor: Actor, id: number): Promise<void> {
    return this.deps.repos.shiftPatterns.delete(actor, id);
  }

  private async siteToday(): Promise<string> {
    const { timezone } = await this.deps.repos.site.get();
    return DateTime.fromJSDate(this.deps.clock.now(), { zone: timezone }).toISODate() as string;
  }

  // Machines, each with its current state

  async listMachines() {
    return this.withState(await this.deps.repos.machines.list());
  }

  async getMachine(id: number) {
    return this.oneWithState(await this.deps.repos.machines.get(id));
  }

  async createMachine(actor: Actor, input: z.output<typeof machineCreateSchema>) {
    return this.oneWithState(await this.deps.repos.machines.create(actor, input));
  }

  /** Another shift pattern moves the machine's planned time: its stored OEE is dropped. */
  async updateMachine(actor: Actor, id: number, input: z.output<typeof machineUpdateSchema>) {
    const machine = await this.deps.repos.machines.update(actor, id, input);
    if (input.shiftPatternId !== undefined) await this.deps.oee.invalidateMachine(id, null);
    return this.oneWithState(machine);
  }

  deleteMachine(actor: Actor, id: number): Promise<void> {
    return this.deps.repos.machines.delete(actor, id);
  }

  private async withState(machines: MachineEntity[]) {
    const states = await this.deps.machineStates.describe(machines);
    return machines.map((m, i) => toMachine(m, states[i]!));
  }

  private async oneWithState(machine: MachineEntity) {
    return (await this.withState([machine]))[0]!;
  }

  // Site

  getSite(): Promise<Site> {
    return this.deps.repos.site.get();
  }

  /** The time zone and the micro-stop threshold shape every stored hour: they are all dropped. */
  async putSite(actor: Actor, site: Site): Promise<Site> {
    const saved = await this.deps.repos.site.put(actor, site);
    await this.deps.oee.invalidateAll();
    return saved;
  }

  // Users (secrets are write-only; a deleted user is retired so history keeps its name)

  async listUsers() {
    return (await this.deps.repos.users.list()).map(toUser);
  }

  async createUser(actor: Actor, input: z.output<typeof userCreateSchema>) {
    return toUser(
      await this.deps.repos.users.create(actor, {
        username: input.username,
        role: input.role,
        passwordHash: input.password ? await hashSecret(input.password) : null,
        pinHash: input.pin ? await hashSecret(input.pin) : null,
        deletedAt: null,
      }),
    );
  }

  /** A new password or another role ends the user's sessions; the last admin stays admin. */
  async updateUser(actor: Actor, id: number, input: z.output<typeof userUpdateSchema>) {
    if (input.role && input.role !== 'admin') await this.deps.users.assertNotLastAdmin(id);
    const user = await this.deps.repos.users.update(actor, id, {
      username: input.username,
      role: input.role,
      passwordHash: input.password ? await hashSecret(input.password) : undefined,
      pinHash: input.pin === null ? null : input.pin ? await hashSecret(input.pin) : undefined,
    } as never);
    if (input.password || (input.role && input.role !== user.role)) await this.deps.repos.credentials.deleteSessionsOf(user.id);
    return toUser(user);
  }

  async retireUser(actor: Actor, id: number): Promise<void> {
    if (actor.userId === id) throw AppError.conflict('You cannot delete your own user');
    await this.deps.users.retire(actor, id);
  }

  // Tablets (the token is shown once)

  /** A DigitME2 tablet's device UUID is its credential: only admins (who pair tablets) see it. */
  async listTablets(viewer: Role) {
    return (await this.deps.repos.tablets.list()).map((t) => toTablet(t, viewer === 'admin'));
  }

  async getTablet(id: number) {
    return toTablet(await this.deps.repos.tablets.get(id));
  }

  async createTablet(actor: Actor, input: z.output<typeof tabletCreateSchema>): Promise<{ id: number; token: string }> {
    const token = newToken('tab');
    const tablet = await this.deps.repos.tablets.create(actor, {
      ...input,
      tokenHash: hashToken(token),
      deviceUuid: null,
      operatorId: null,
      operatorSince: null,
    });
    return { id: tablet.id, token };
  }

  async updateTablet(actor: Actor, id: number, input: z.output<typeof tabletUpdateSchema>) {
    return toTablet(await this.deps.repos.tablets.update(actor, id, input));
  }

  /**
   * A new token for the tablet, shown once; the old one stops working at once (it is no longer stored).
   * The write is announced as a tablet change, on which every instance checks its open tablet sockets'
   * tokens again and closes those of the old one (realtime/tablet/tablet.namespace.ts).
   */
  async reissueTabletToken(actor: Actor, id: number): Promise<{ id: number; token: string }> {
    const token = newToken('tab');
    await this.deps.repos.tablets.update(actor, id, { tokenHash: hashToken(token) }, 'token-reissue');
    return { id, token };
  }

  deleteTablet(actor: Actor, id: number): Promise<void> {
    return this.deps.repos.tablets.delete(actor, id);
  }

  // Kiosk tokens (wall screens; the token is shown once)

  async listKioskTokens() {
    return (await this.deps.repos.kioskTokens.list()).map(toKioskToken);
  }

  async createKioskToken(actor: Actor, input: z.output<typeof kioskTokenCreateSchema>): Promise<{ id: number; token: string }> {
    const token = newToken('kiosk');
    const kiosk = await this.deps.repos.kioskTokens.create(actor, { ...input, tokenHash: hashToken(token) });
    return { id: kiosk.id, token };
  }

  deleteKioskToken(actor: Actor, id: number): Promise<void> {
    return this.deps.repos.kioskTokens.delete(actor, id);
  }

  // API keys (the key is shown once)

  async listApiKeys() {
    return (await this.deps.repos.apiKeys.list()).map(toApiKey);
  }

  async createApiKey(actor: Actor, input: z.output<typeof apiKeyCreateSchema>): Promise<{ id: number; key: string }> {
    const key = newToken('oee');
    const row = await this.deps.repos.apiKeys.create(actor, { ...input, keyHash: hashToken(key) });
    return { id: row.id, key };
  }

  async revokeApiKey(actor: Actor, id: number): Promise<void> {
    await this.deps.repos.apiKeys.delete(actor, id);
    // The commit emptied every instance's key cache through the change feed; return once the other
    // instances have been told, so the key is refused everywhere when the caller hears back.
    this.deps.authenticator.forgetApiKeys();
    await this.deps.feed.delivered();
  }
}

/**
 * A pattern after an edit: its name, and its versions (the row itself when shifts and exceptions stay
 * as they are, so callers can tell whether planned time moved).
 */
function editedPattern(row: ShiftPatternEntity, input: z.output<typeof shiftPatternUpdateSchema>, effectiveFrom: string) {
  const name = input.name ?? row.name;
  if (input.shifts === undefined && input.exceptions === undefined) return { name, planned: row };
  return {
    name,
    planned: applyEdit(row, { shifts: input.shifts ?? row.shifts, exceptions: input.exceptions ?? row.exceptions }, effectiveFrom),
  };
}

/** The cause a code is stored with, or a 400 naming the `cause` field. */
function checkedCause(
  category: Category,
  requested: DowntimeCause | null | undefined,
  current: DowntimeCause | null | undefined,
): DowntimeCause | null {
  const result = codeCause(category, requested, current);
  if (!result.ok) throw AppError.invalid(`Invalid cause: ${result.message}`, [{ path: ['cause'], message: result.message }]);
  return result.cause;
}
