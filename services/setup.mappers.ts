import type {
  ActivityCodeEntity,
  ApiKeyEntity,
  KioskTokenEntity,
  MachineEntity,
  ShiftPatternEntity,
  TabletEntity,
  UserEntity,
} from '../db/entities/index.js';
import type { MachineState } from '../core/schemas/setup.schema.js';

/** Entity → API shape. Only named fields travel, so no hash can leak into an answer. */
export const toActivityCode = (c: ActivityCodeEntity) => ({
  id: c.id,
  shortDescription: c.shortDescription,
  longDescription: c.longDescription,
  category: c.category,
  cause: c.cause,
  colour: c.colour,
  active: c.active,
  flag: c.flag,
});

/** `effectiveFrom` only for a pattern that was edited from a date (docs/api.md). */
export const toShiftPattern = (p: ShiftPatternEntity) => ({
  id: p.id,
  name: p.name,
  shifts: p.shifts,
  exceptions: p.exceptions,
  ...(p.effectiveFrom === null ? {} : { effectiveFrom: p.effectiveFrom }),
});

export const toMachine = (m: MachineEntity, state: MachineState) => ({
  id: m.id,
  name: m.name,
  groupId: m.groupId,
  shiftPatternId: m.shiftPatternId,
  workflowType: m.workflowType,
  jobStartInputType: m.jobStartInputType,
  jobNumberInputType: m.jobNumberInputType,
  jobStartAutofill: m.jobStartAutofill,
  jobStartActivityCodeId: m.jobStartActivityCodeId,
  endJobOnShiftEnd: m.endJobOnShiftEnd,
  excludedActivityCodeIds: m.excludedActivityCodeIds,
  active: m.active,
  heartbeatSeconds: m.heartbeatSeconds,
  lastContactAt: m.lastContactAt ? m.lastContactAt.toISOString() : null,
  reasonPromptMinutes: m.reasonPromptMinutes,
  oeeTarget: m.oeeTarget,
  state,
});

export const toUser = (u: UserEntity) => ({
  id: u.id,
  username: u.username,
  role: u.role,
  hasPassword: u.passwordHash !== null,
  hasPin: u.pinHash !== null,
});

/** A DigitME2 tablet's device UUID is its credential: only admins (who pair tablets) see it. */
export const toTablet = (t: TabletEntity, forAdmin = true) => ({
  id: t.id,
  name: t.name,
  machineId: t.machineId,
  deviceUuid: forAdmin ? t.deviceUuid : null,
  operatorId: t.operatorId,
});

export const toKioskToken = (k: KioskTokenEntity) => ({ id: k.id, name: k.name, groupId: k.groupId });
export const toApiKey = (k: ApiKeyEntity) => ({ id: k.id, name: k.name, role: k.role });
