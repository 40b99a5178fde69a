import { z } from 'zod';
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
  shiftPatternImpactSchema,
  shiftPatternSchema,
  shiftPatternUpdateSchema,
  shiftPatternVersionSchema,
  siteSchema,
  tabletCreateSchema,
  tabletSchema,
  tabletUpdateSchema,
  userCreateSchema,
  userSchema,
  userUpdateSchema,
} from '../../core/schemas/setup.schema.js';
import type { RouteTable } from '../http/route.js';
import type { AppServices } from '../../services/app-services.js';

const actorOf = (auth: { userId: number | null; apiKeyId: number | null }) => ({ userId: auth.userId, apiKeyId: auth.apiKeyId });

/** The set-up API of docs/api.md: admin writes, everyone signed in reads. */
export function registerSetupRoutes(routes: RouteTable, deps: AppServices): void {
  const { setup } = deps;

  // Groups
  routes.add({
    method: 'get',
    path: '/api/v1/groups',
    access: 'signedIn',
    tag: 'setup',
    summary: 'List groups',
    response: z.array(groupSchema),
    handler: () => setup.listGroups(),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/groups',
    access: 'admin',
    tag: 'setup',
    summary: 'Create a group',
    body: groupCreateSchema,
    status: 201,
    response: groupSchema,
    handler: ({ body, auth }) => setup.createGroup(actorOf(auth), body),
  });
  routes.add({
    method: 'patch',
    path: '/api/v1/groups/{id}',
    access: 'admin',
    tag: 'setup',
    summary: 'Rename a group',
    params: idParamsSchema,
    body: groupUpdateSchema,
    response: groupSchema,
    handler: ({ params, body, auth }) => setup.updateGroup(actorOf(auth), params.id, body),
  });
  routes.add({
    method: 'delete',
    path: '/api/v1/groups/{id}',
    access: 'admin',
    tag: 'setup',
    summary: 'Delete an unused group',
    params: idParamsSchema,
    status: 204,
    handler: ({ params, auth }) => setup.deleteGroup(actorOf(auth), params.id),
  });

  // Activity codes (never deleted: history refers to them)
  routes.add({
    method: 'get',
    path: '/api/v1/activity-codes',
    access: 'signedIn',
    tag: 'setup',
    summary: 'List activity codes',
    response: z.array(activityCodeSchema),
    handler: () => setup.listActivityCodes(),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/activity-codes',
    access: 'admin',
    tag: 'setup',
    summary: 'Create an activity code',
    body: activityCodeCreateSchema,
    status: 201,
    response: activityCodeSchema,
    handler: ({ body, auth }) => setup.createActivityCode(actorOf(auth), body),
  });
  routes.add({
    method: 'patch',
    path: '/api/v1/activity-codes/{id}',
    access: 'admin',
    tag: 'setup',
    summary: 'Edit an activity code',
    params: idParamsSchema,
    body: activityCodeUpdateSchema,
    response: activityCodeSchema,
    handler: ({ params, body, auth }) => setup.updateActivityCode(actorOf(auth), params.id, body),
  });

  // Shift patterns
  routes.add({
    method: 'get',
    path: '/api/v1/shift-patterns',
    access: 'signedIn',
    tag: 'setup',
    summary: 'List shift patterns',
    response: z.array(shiftPatternSchema),
    handler: () => setup.listShiftPatterns(),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/shift-patterns',
    access: 'admin',
    tag: 'setup',
    summary: 'Create a shift pattern',
    body: shiftPatternCreateSchema,
    status: 201,
    response: shiftPatternSchema,
    handler: ({ body, auth }) => setup.createShiftPattern(actorOf(auth), body),
  });
  routes.add({
    method: 'patch',
    path: '/api/v1/shift-patterns/{id}',
    access: 'admin',
    tag: 'setup',
    summary: 'Edit a shift pattern',
    params: idParamsSchema,
    body: shiftPatternUpdateSchema,
    response: shiftPatternSchema,
    handler: ({ params, body, auth }) => setup.updateShiftPattern(actorOf(auth), params.id, body),
  });
  routes.add({
    method: 'get',
    path: '/api/v1/shift-patterns/{id}/versions',
    access: 'signedIn',
    tag: 'setup',
    summary: 'The versions of a shift pattern, oldest first, each with the local days [from, until) it is in force',
    params: idParamsSchema,
    response: z.array(shiftPatternVersionSchema),
    handler: ({ params }) => setup.listShiftPatternVersions(params.id),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/shift-patterns/{id}/impact',
    access: 'admin',
    tag: 'setup',
    summary:
      'What an edit (the PATCH body) would change, without saving it: the days with history whose planned time moves, and the machines',
    params: idParamsSchema,
    body: shiftPatternUpdateSchema,
    response: shiftPatternImpactSchema,
    handler: ({ params, body }) => setup.shiftPatternImpact(params.id, body),
  });
  routes.add({
    method: 'delete',
    path: '/api/v1/shift-patterns/{id}',
    access: 'admin',
    tag: 'setup',
    summary: 'Delete an unused shift pattern',
    params: idParamsSchema,
    status: 204,
    handler: ({ params, auth }) => setup.deleteShiftPattern(actorOf(auth), params.id),
  });

  // Machines
  routes.add({
    method: 'get',
    path: '/api/v1/machines',
    access: 'signedIn',
    tag: 'setup',
    summary: 'List machines with their current state',
    response: z.array(machineSchema),
    handler: () => setup.listMachines(),
  });
  routes.add({
    method: 'get',
    path: '/api/v1/machines/{id}',
    access: 'signedIn',
    tag: 'setup',
    summary: 'A machine with its current state',
    params: idParamsSchema,
    response: machineSchema,
    handler: ({ params }) => setup.getMachine(params.id),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/machines',
    access: 'admin',
    tag: 'setup',
    summary: 'Create a machine',
    body: machineCreateSchema,
    status: 201,
    response: machineSchema,
    handler: ({ body, auth }) => setup.createMachine(actorOf(auth), body),
  });
  routes.add({
    method: 'patch',
    path: '/api/v1/machines/{id}',
    access: 'admin',
    tag: 'setup',
    summary: 'Edit a machine',
    params: idParamsSchema,
    body: machineUpdateSchema,
    response: machineSchema,
    handler: ({ params, body, auth }) => setup.updateMachine(actorOf(auth), params.id, body),
  });
  routes.add({
    method: 'delete',
    path: '/api/v1/machines/{id}',
    access: 'admin',
    tag: 'setup',
    summary: 'Delete a machine without history',
    params: idParamsSchema,
    status: 204,
    handler: ({ params, auth }) => setup.deleteMachine(actorOf(auth), params.id),
  });

  // Site
  routes.add({
    method: 'get',
    path: '/api/v1/site',
    access: 'signedIn',
    tag: 'setup',
    summary: 'Site settings',
    response: siteSchema,
    handler: () => setup.getSite(),
  });
  routes.add({
    method: 'put',
    path: '/api/v1/site',
    access: 'admin',
    tag: 'setup',
    summary: 'Replace site settings',
    body: siteSchema,
    response: siteSchema,
    handler: ({ body, auth }) => setup.putSite(actorOf(auth), body),
  });

  // Users (secrets are write-only; a deleted user is retired so history keeps its name)
  routes.add({
    method: 'get',
    path: '/api/v1/users',
    access: 'signedIn',
    tag: 'setup',
    summary: 'List users',
    response: z.array(userSchema),
    handler: () => setup.listUsers(),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/users',
    access: 'admin',
    tag: 'setup',
    summary: 'Create a user',
    body: userCreateSchema,
    status: 201,
    response: userSchema,
    handler: ({ body, auth }) => setup.createUser(actorOf(auth), body),
  });
  routes.add({
    method: 'patch',
    path: '/api/v1/users/{id}',
    access: 'admin',
    tag: 'setup',
    summary: 'Edit a user',
    params: idParamsSchema,
    body: userUpdateSchema,
    response: userSchema,
    handler: ({ params, body, auth }) => setup.updateUser(actorOf(auth), params.id, body),
  });
  routes.add({
    method: 'delete',
    path: '/api/v1/users/{id}',
    access: 'admin',
    tag: 'setup',
    summary: 'Retire a user',
    params: idParamsSchema,
    status: 204,
    handler: ({ params, auth }) => setup.retireUser(actorOf(auth), params.id),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/users/{id}/unlock',
    access: 'admin',
    tag: 'setup',
    summary: "Clear a user's failed password and PIN attempts from every address (audited)",
    params: idParamsSchema,
    response: z.object({ cleared: z.number().int() }),
    handler: ({ params, auth }) => deps.users.unlock(actorOf(auth), params.id),
  });

  // Tablets (the token is shown once)
  routes.add({
    method: 'get',
    path: '/api/v1/tablets',
    access: 'signedIn',
    tag: 'setup',
    summary: 'List tablets',
    response: z.array(tabletSchema),
    handler: ({ auth }) => setup.listTablets(auth.role),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/tablets',
    access: 'admin',
    tag: 'setup',
    summary: 'Create a tablet and its token',
    body: tabletCreateSchema,
    status: 201,
    response: createdSecretSchema,
    handler: ({ body, auth }) => setup.createTablet(actorOf(auth), body),
  });
  routes.add({
    method: 'patch',
    path: '/api/v1/tablets/{id}',
    access: 'admin',
    tag: 'setup',
    summary: 'Rename or pair a tablet',
    params: idParamsSchema,
    body: tabletUpdateSchema,
    response: tabletSchema,
    handler: ({ params, body, auth }) => setup.updateTablet(actorOf(auth), params.id, body),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/tablets/{id}/token',
    access: 'admin',
    tag: 'setup',
    summary: 'Issue a new token for a tablet (shown once); the old token stops working at once (audited)',
    params: idParamsSchema,
    response: createdSecretSchema,
    handler: ({ params, auth }) => setup.reissueTabletToken(actorOf(auth), params.id),
  });
  routes.add({
    method: 'delete',
    path: '/api/v1/tablets/{id}',
    access: 'admin',
    tag: 'setup',
    summary: 'Delete a tablet',
    params: idParamsSchema,
    status: 204,
    handler: ({ params, auth }) => setup.deleteTablet(actorOf(auth), params.id),
  });

  // Kiosk tokens
  routes.add({
    method: 'get',
    path: '/api/v1/kiosk-tokens',
    access: 'admin',
    tag: 'setup',
    summary: 'List kiosk tokens',
    response: z.array(kioskTokenSchema),
    handler: () => setup.listKioskTokens(),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/kiosk-tokens',
    access: 'admin',
    tag: 'setup',
    summary: 'Create a wall-screen token',
    body: kioskTokenCreateSchema,
    status: 201,
    response: createdSecretSchema,
    handler: ({ body, auth }) => setup.createKioskToken(actorOf(auth), body),
  });
  routes.add({
    method: 'delete',
    path: '/api/v1/kiosk-tokens/{id}',
    access: 'admin',
    tag: 'setup',
    summary: 'Revoke a wall-screen token',
    params: idParamsSchema,
    status: 204,
    handler: ({ params, auth }) => setup.deleteKioskToken(actorOf(auth), params.id),
  });

  // API keys
  routes.add({
    method: 'get',
    path: '/api/v1/api-keys',
    access: 'admin',
    tag: 'setup',
    summary: 'List API keys',
    response: z.array(apiKeySchema),
    handler: () => setup.listApiKeys(),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/api-keys',
    access: 'admin',
    tag: 'setup',
    summary: 'Create an API key',
    body: apiKeyCreateSchema,
    status: 201,
    response: createdKeySchema,
    handler: ({ body, auth }) => setup.createApiKey(actorOf(auth), body),
  });
  routes.add({
    method: 'delete',
    path: '/api/v1/api-keys/{id}',
    access: 'admin',
    tag: 'setup',
    summary: 'Revoke an API key',
    params: idParamsSchema,
    status: 204,
    handler: ({ params, auth }) => setup.revokeApiKey(actorOf(auth), params.id),
  });
}
