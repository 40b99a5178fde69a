/**
 * Shapes of the set-up API (docs/api.md) as the admin pages see them, inferred from the `core/` schemas the
 * server validates with. Type-only imports: no zod reaches the browser bundle.
 */
import type { z } from 'zod';
import type * as setup from '$core/schemas/setup.schema.js';
import type * as parts from '$core/schemas/parts.schema.js';

export type {
  Category,
  DowntimeCause,
  JobStartInputType,
  MachineCreate,
  MachineState,
  ShiftPattern,
  WorkflowType,
} from '$core/schemas/setup.schema.js';
export type { Role } from '$core/roles.js';

export type Group = z.infer<typeof setup.groupSchema>;
export type ActivityCode = z.infer<typeof setup.activityCodeSchema>;
export type Shift = z.infer<typeof setup.shiftSchema>;
export type ShiftException = z.infer<typeof setup.shiftExceptionSchema>;
export type JobNumberInputType = z.infer<typeof setup.jobNumberInputTypeSchema>;
export type Machine = z.infer<typeof setup.machineSchema>;
export type User = z.infer<typeof setup.userSchema>;
export type Tablet = z.infer<typeof setup.tabletSchema>;
export type KioskToken = z.infer<typeof setup.kioskTokenSchema>;
export type ApiKey = z.infer<typeof setup.apiKeySchema>;
export type Site = z.infer<typeof setup.siteSchema>;
export type CreatedSecret = z.infer<typeof setup.createdSecretSchema>;
export type CreatedKey = z.infer<typeof setup.createdKeySchema>;
export type Part = z.infer<typeof parts.partSchema>;
export type PartImportReport = z.infer<typeof parts.partImportReportSchema>;
export type { MqttMapping, MqttStatus } from '$core/schemas/mqtt.schema.js';
