import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { idParamsSchema } from '../../core/schemas/common.schema.js';
import {
  activityCodeCreateSchema,
  activityCodeSchema,
  activityCodeUpdateSchema,
  apiKeyCreateSchema,
  apiKeySchema,
  createdKeySchema,
  createdSecretSchema,
  groupCreateSchema,
  groupSchema,
  groupUpdateSchema,
  kioskTokenCreateSchema,
  kioskTokenSchema,
  machineCreateSchema,
  machineSchema,
  machineUpdateSchema,
  shiftPatternCreateSchema,
  shiftPatternSchema,
  shiftPatternUpdateSchema,
  siteSchema,
  tabletCreateSchema,
  tabletSchema,
  tabletUpdateSchema,
  userCreateSchema,
  userSchema,
  userUpdateSchema,
} from '../../core/schemas/setup.schema.js';
import type { MachineEntity } from '../../db/entities/index.js';
import { hashSecret, hashToken, newToken } from '../../services/auth/hashing.js';
import type { RouteTable } from '../http/route.js';
import type { AppServices } from '../../services/app-services.js';
import { toActivityCode, toApiKey, toKioskToken, toMachine, toShiftPattern, toTablet, toUser } from '../../services/setup.mappers.js';

const actorOf = (auth: { userId: number | null; apiKeyId: number | null }) => ({ userId: auth.userId, apiKeyId: auth.apiKeyId });

/** The set-up API of docs/api.md: admin writes, everyone signed in reads. */
export function registerSetupRoutes(routes: RouteTable, deps: AppServices): void {
  const { repos } = deps;

  // --- groups
  routes.add({ method: 'get', path: '/api/v1/groups', access: 'signedIn', tag: 'setup', summary: 'List groups', response: z.array(groupSchema), handler: () => repos.groups.list() });
  routes.add({ method: 'post', path: '/api/v1/groups', access: 'admin', tag: 'setup', summary: 'Create a group', body: groupCreateSchema, status: 201, response: groupSchema, handler: ({ body, auth }) => repos.groups.create(actorOf(auth), body) });
  routes.add({ method: 'patch', path: '/api/v1/groups/{id}', access: 'admin', tag: 'setup', summary: 'Rename a group', params: idParamsSchema, body: groupUpdateSchema, response: groupSchema, handler: ({ params, body, auth }) => repos.groups.update(actorOf(auth), params.id, body) });
  routes.add({ method: 'delete', path: '/api/v1/groups/{id}', access: 'admin', tag: 'setup', summary: 'Delete an unused group', params: idParamsSchema, status: 204, handler: ({ params, auth }) => repos.groups.delete(actorOf(auth), params.id) });

  // --- activity codes (never deleted: history refers to them)
  routes.add({ method: 'get', path: '/api/v1/activity-codes', access: 'signedIn', tag: 'setup', summary: 'List activity codes', response: z.array(activityCodeSchema), handler: async () => (await repos.activityCodes.list()).map(toActivityCode) });
  routes.add({ method: 'post', path: '/api/v1/activity-codes', access: 'admin', tag: 'setup', summary: 'Create an activity code', body: activityCodeCreateSchema, status: 201, response: activityCodeSchema, handler: async ({ body, auth }) => toActivityCode(await repos.activityCodes.create(actorOf(auth), body)) });
  routes.add({ method: 'patch', path: '/api/v1/activity-codes/{id}', access: 'admin', tag: 'setup', summary: 'Edit an activity code', params: idParamsSchema, body: activityCodeUpdateSchema, response: activityCodeSchema, handler: async ({ params, body, auth }) => { const code = toActivityCode(await repos.activityCodes.update(actorOf(auth), params.id, body)); if (body.category !== undefined) await deps.oee.invalidateAll(); return code; } });

  // --- shift patterns
  routes.add({ method: 'get', path: '/api/v1/shift-patterns', access: 'signedIn', tag: 'setup', summary: 'List shift patterns', response: z.array(shiftPatternSchema), handler: async () => (await repos.shiftPatterns.list()).map(toShiftPattern) });
  routes.add({ method: 'post', path: '/api/v1/shift-patterns', access: 'admin', tag: 'setup', summary: 'Create a shift pattern', body: shiftPatternCreateSchema, status: 201, response: shiftPatternSchema, handler: async ({ body, auth }) => toShiftPattern(await repos.shiftPatterns.create(actorOf(auth), body)) });
  routes.add({ method: 'patch', path: '/api/v1/shift-patterns/{id}', access: 'admin', tag: 'setup', summary: 'Edit a shift pattern', params: idParamsSchema, body: shiftPatternUpdateSchema, response: shiftPatternSchema, handler: async ({ params, body, auth }) => { const pattern = toShiftPattern(await repos.shiftPatterns.update(actorOf(auth), params.id, body)); await deps.oee.invalidateShiftPattern(params.id); return pattern; } });
  routes.add({ method: 'delete', path: '/api/v1/shift-patterns/{id}', access: 'admin', tag: 'setup', summary: 'Delete an unused shift pattern', params: idParamsSchema, status: 204, handler: ({ params, auth }) => repos.shiftPatterns.delete(actorOf(auth), params.id) });

  // --- machines
  const withState = async (machines: MachineEntity[]) => {
    const states = await deps.machineStates.describe(machines);
    return machines.map((m, i) => toMachine(m, states[i]!));
  };
  const one = async (m: MachineEntity) => (await withState([m]))[0]!;
  routes.add({ method: 'get', path: '/api/v1/machines', access: 'signedIn', tag: 'setup', summary: 'List machines with their current state', response: z.array(machineSchema), handler: async () => withState(await repos.machines.list()) });
  routes.add({ method: 'get', path: '/api/v1/machines/{id}', access: 'signedIn', tag: 'setup', summary: 'A machine with its current state', params: idParamsSchema, response: machineSchema, handler: async ({ params }) => one(await repos.machines.get(params.id)) });
  routes.add({ method: 'post', path: '/api/v1/machines', access: 'admin', tag: 'setup', summary: 'Create a machine', body: machineCreateSchema, status: 201, response: machineSchema, handler: async ({ body, auth }) => one(await repos.machines.create(actorOf(auth), body)) });
  routes.add({ method: 'patch', path: '/api/v1/machines/{id}', access: 'admin', tag: 'setup', summary: 'Edit a machine', params: idParamsSchema, body: machineUpdateSchema, response: machineSchema, handler: async ({ params, body, auth }) => { const machine = await repos.machines.update(actorOf(auth), params.id, body); if (body.shiftPatternId !== undefined) await deps.oee.invalidateMachine(params.id, null); return one(machine); } });
  routes.add({ method: 'delete', path: '/api/v1/machines/{id}', access: 'admin', tag: 'setup', summary: 'Delete a machine without history', params: idParamsSchema, status: 204, handler: ({ params, auth }) => repos.machines.delete(actorOf(auth), params.id) });

  // --- site
  routes.add({ method: 'get', path: '/api/v1/site', access: 'signedIn', tag: 'setup', summary: 'Site settings', response: siteSchema, handler: () => repos.site.get() });
  routes.add({ method: 'put', path: '/api/v1/site', access: 'admin', tag: 'setup', summary: 'Replace site settings', body: siteSchema, response: siteSchema, handler: async ({ body, auth }) => { const site = await repos.site.put(actorOf(auth), body); await deps.oee.invalidateAll(); return site; } });

  // --- users (secrets are write-only; a deleted user is retired so history keeps its name)
  routes.add({ method: 'get', path: '/api/v1/users', access: 'signedIn', tag: 'setup', summary: 'List users', response: z.array(userSchema), handler: async () => (await repos.users.list()).map(toUser) });
  routes.add({
    method: 'post', path: '/api/v1/users', access: 'admin', tag: 'setup', summary: 'Create a user', body: userCreateSchema, status: 201, response: userSchema,
    handler: async ({ body, auth }) =>
      toUser(
        await repos.users.create(actorOf(auth), {
          username: body.username,
          role: body.role,
          passwordHash: body.password ? await hashSecret(body.password) : null,
          pinHash: body.pin ? await hashSecret(body.pin) : null,
          deletedAt: null,
        }),
      ),
  });
  routes.add({
    method: 'patch', path: '/api/v1/users/{id}', access: 'admin', tag: 'setup', summary: 'Edit a user', params: idParamsSchema, body: userUpdateSchema, response: userSchema,
    handler: async ({ params, body, auth }) => {
      if (body.role && body.role !== 'admin') await deps.users.assertNotLastAdmin(params.id);
      const user = await repos.users.update(actorOf(auth), params.id, {
        username: body.username,
        role: body.role,
        passwordHash: body.password ? await hashSecret(body.password) : undefined,
        pinHash: body.pin === null ? null : body.pin ? await hashSecret(body.pin) : undefined,
      } as never);
      if (body.password || (body.role && body.role !== user.role)) await repos.credentials.deleteSessionsOf(user.id);
      return toUser(user);
    },
  });
  routes.add({
    method: 'delete', path: '/api/v1/users/{id}', access: 'admin', tag: 'setup', summary: 'Retire a user', params: idParamsSchema, status: 204,
    handler: async ({ params, auth }) => {
      if (auth.userId === params.id) throw AppError.conflict('You cannot delete your own user');
      await deps.users.retire(actorOf(auth), params.id);
    },
  });

  routes.add({
    method: 'post', path: '/api/v1/users/{id}/unlock', access: 'admin', tag: 'setup', summary: "Clear a user's failed password and PIN attempts from every address (audited)", params: idParamsSchema, response: z.object({ cleared: z.number().int() }),
    handler: ({ params, auth }) => deps.users.unlock(actorOf(auth), params.id),
  });

  // --- tablets (the token is shown once)
  routes.add({ method: 'get', path: '/api/v1/tablets', access: 'signedIn', tag: 'setup', summary: 'List tablets', response: z.array(tabletSchema), handler: async ({ auth }) => (await repos.tablets.list()).map((t) => toTablet(t, auth.role === 'admin')) });
  routes.add({
    method: 'post', path: '/api/v1/tablets', access: 'admin', tag: 'setup', summary: 'Create a tablet and its token', body: tabletCreateSchema, status: 201, response: createdSecretSchema,
    handler: async ({ body, auth }) => {
      const token = newToken('tab');
      const tablet = await repos.tablets.create(actorOf(auth), { ...body, tokenHash: hashToken(token), deviceUuid: null, operatorId: null, operatorSince: null });
      return { id: tablet.id, token };
    },
  });
  routes.add({ method: 'patch', path: '/api/v1/tablets/{id}', access: 'admin', tag: 'setup', summary: 'Rename or pair a tablet', params: idParamsSchema, body: tabletUpdateSchema, response: tabletSchema, handler: async ({ params, body, auth }) => toTablet(await repos.tablets.update(actorOf(auth), params.id, body)) });
  routes.add({ method: 'delete', path: '/api/v1/tablets/{id}', access: 'admin', tag: 'setup', summary: 'Delete a tablet', params: idParamsSchema, status: 204, handler: ({ params, auth }) => repos.tablets.delete(actorOf(auth), params.id) });

  // --- kiosk tokens
  routes.add({ method: 'get', path: '/api/v1/kiosk-tokens', access: 'admin', tag: 'setup', summary: 'List kiosk tokens', response: z.array(kioskTokenSchema), handler: async () => (await repos.kioskTokens.list()).map(toKioskToken) });
  routes.add({
    method: 'post', path: '/api/v1/kiosk-tokens', access: 'admin', tag: 'setup', summary: 'Create a wall-screen token', body: kioskTokenCreateSchema, status: 201, response: createdSecretSchema,
    handler: async ({ body, auth }) => {
      const token = newToken('kiosk');
      const kiosk = await repos.kioskTokens.create(actorOf(auth), { ...body, tokenHash: hashToken(token) });
      return { id: kiosk.id, token };
    },
  });
  routes.add({ method: 'delete', path: '/api/v1/kiosk-tokens/{id}', access: 'admin', tag: 'setup', summary: 'Revoke a wall-screen token', params: idParamsSchema, status: 204, handler: ({ params, auth }) => repos.kioskTokens.delete(actorOf(auth), params.id) });

  // --- API keys
  routes.add({ method: 'get', path: '/api/v1/api-keys', access: 'admin', tag: 'setup', summary: 'List API keys', response: z.array(apiKeySchema), handler: async () => (await repos.apiKeys.list()).map(toApiKey) });
  routes.add({
    method: 'post', path: '/api/v1/api-keys', access: 'admin', tag: 'setup', summary: 'Create an API key', body: apiKeyCreateSchema, status: 201, response: createdKeySchema,
    handler: async ({ body, auth }) => {
      const key = newToken('oee');
      const row = await repos.apiKeys.create(actorOf(auth), { ...body, keyHash: hashToken(key) });
      return { id: row.id, key };
    },
  });
  routes.add({
    method: 'delete', path: '/api/v1/api-keys/{id}', access: 'admin', tag: 'setup', summary: 'Revoke an API key', params: idParamsSchema, status: 204,
    handler: async ({ params, auth }) => {
      await repos.apiKeys.delete(actorOf(auth), params.id);
      // The commit emptied every instance's key cache through the change feed; answer once the
      // other instances have been told, so the key is refused everywhere when the caller hears back.
      deps.authenticator.forgetApiKeys();
      await deps.feed.delivered();
    },
  });
}
