import { z } from 'zod';

/**
 * Roles of docs/api.md. `admin` > `supervisor` > `operator` > `viewer` form a ladder (each may do what the
 * ones below may). `device` stands apart: it may only post shop-floor data.
 */
export const roles = ['admin', 'supervisor', 'operator', 'viewer', 'device'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

/** Who may call a route. `signedIn` = any human role (viewer and up). */
export type Access = 'public' | 'signedIn' | 'shopFloor' | 'operator' | 'supervisor' | 'admin';

const ladder: Record<Exclude<Role, 'device'>, number> = { viewer: 1, operator: 2, supervisor: 3, admin: 4 };

export function roleAllows(role: Role, access: Access): boolean {
  switch (access) {
    case 'public':
      return true;
    case 'shopFloor':
      return role === 'device' || (role !== 'viewer' && ladder[role] >= ladder.operator);
    default: {
      if (role === 'device') return false;
      const needed = access === 'signedIn' ? ladder.viewer : ladder[access];
      return ladder[role] >= needed;
    }
  }
}
