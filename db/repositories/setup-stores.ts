import type { DataSource } from 'typeorm';
import { In, IsNull } from 'typeorm';
import { AppError } from '../../core/errors.js';
import {
  ActivityCodeEntity,
  ApiKeyEntity,
  GroupEntity,
  JobEntity,
  KioskTokenEntity,
  MachineEntity,
  MqttMappingEntity,
  ShiftPatternEntity,
  StateEventEntity,
  TabletEntity,
  UserEntity,
} from '../entities/index.js';
import type { SetupEntity } from '../../core/cluster/committed-change.js';
import type { AuditRepository } from './audit.repository.js';
import { requireReference, SetupStore } from './setup-store.js';
import { usedBy } from './crud.js';

/** The set-up resources of docs/api.md, each a SetupStore with its own references and usage rules. */
export function createSetupStores(dataSource: DataSource, audit: AuditRepository, onChange?: (entity: SetupEntity, id: number) => void) {
  const store = <T extends { id: number }>(options: ConstructorParameters<typeof SetupStore<T>>[2]) =>
    new SetupStore<T>(dataSource, audit, options, onChange);

  return {
    groups: store<GroupEntity>({
      entity: GroupEntity,
      what: 'Group',
      auditName: 'group',
      duplicateMessage: (g) => `A group named "${g.name}" already exists`,
      usage: async (tx, g) =>
        usedBy(`Group "${g.name}"`, [
          { kind: 'machine', names: await names(tx.find(MachineEntity, { where: { groupId: g.id }, order: { name: 'ASC' } })) },
          { kind: 'kiosk token', names: await names(tx.find(KioskTokenEntity, { where: { groupId: g.id }, order: { name: 'ASC' } })) },
        ]),
    }),

    activityCodes: store<ActivityCodeEntity>({
      entity: ActivityCodeEntity,
      what: 'Activity code',
      auditName: 'activity-code',
      duplicateMessage: (c) => `An activity code named "${c.shortDescription}" already exists`,
      deletable: false,
    }),

    shiftPatterns: store<ShiftPatternEntity>({
      entity: ShiftPatternEntity,
      what: 'Shift pattern',
      auditName: 'shift-pattern',
      duplicateMessage: (p) => `A shift pattern named "${p.name}" already exists`,
      usage: async (tx, p) =>
        usedBy(`Shift pattern "${p.name}"`, [
          { kind: 'machine', names: await names(tx.find(MachineEntity, { where: { shiftPatternId: p.id }, order: { name: 'ASC' } })) },
        ]),
    }),

    machines: store<MachineEntity>({
      entity: MachineEntity,
      what: 'Machine',
      auditName: 'machine',
      machineIdOf: (m) => m.id ?? null,
      duplicateMessage: (m) => `A machine named "${m.name}" already exists`,
      validate: async (tx, m) => {
        await requireReference(tx, GroupEntity, m.groupId, 'groupId', 'group');
        await requireReference(tx, ShiftPatternEntity, m.shiftPatternId, 'shiftPatternId', 'shift pattern');
        await requireReference(tx, ActivityCodeEntity, m.jobStartActivityCodeId, 'jobStartActivityCodeId', 'activity code');
        const excluded = [...new Set(m.excludedActivityCodeIds ?? [])];
        const found = excluded.length ? await tx.countBy(ActivityCodeEntity, { id: In(excluded) }) : 0;
        if (found !== excluded.length) {
          throw AppError.invalid('Unknown activity code in excludedActivityCodeIds', [
            { path: ['excludedActivityCodeIds'], message: 'every id must be an activity code' },
          ]);
        }
        m.excludedActivityCodeIds = excluded;
      },
      usage: async (tx, m) => {
        const events = await tx.countBy(StateEventEntity, { machineId: m.id });
        const jobs = await tx.countBy(JobEntity, { machineId: m.id });
        if (events + jobs > 0) {
          return AppError.inUse(`Machine "${m.name}" has history (${events} state events, ${jobs} jobs); deactivate it instead`);
        }
        return usedBy(`Machine "${m.name}"`, [
          { kind: 'tablet', names: await names(tx.find(TabletEntity, { where: { machineId: m.id }, order: { name: 'ASC' } })) },
        ]);
      },
    }),

    tablets: store<TabletEntity>({
      entity: TabletEntity,
      what: 'Tablet',
      auditName: 'tablet',
      machineIdOf: (t) => t.machineId,
      duplicateMessage: (t) => `A tablet named "${t.name}" already exists`,
      validate: (tx, t) => requireReference(tx, MachineEntity, t.machineId, 'machineId', 'machine'),
    }),

    kioskTokens: store<KioskTokenEntity>({
      entity: KioskTokenEntity,
      what: 'Kiosk token',
      auditName: 'kiosk-token',
      duplicateMessage: (k) => `A kiosk token named "${k.name}" already exists`,
      validate: (tx, k) => requireReference(tx, GroupEntity, k.groupId, 'groupId', 'group'),
    }),

    apiKeys: store<ApiKeyEntity>({
      entity: ApiKeyEntity,
      what: 'API key',
      auditName: 'api-key',
      duplicateMessage: (k) => `An API key named "${k.name}" already exists`,
    }),

    users: store<UserEntity>({
      entity: UserEntity,
      what: 'User',
      auditName: 'user',
      where: { deletedAt: IsNull() },
      duplicateMessage: (u) => `A user named "${u.username}" already exists`,
    }),

    mqttMappings: store<MqttMappingEntity>({
      entity: MqttMappingEntity,
      what: 'MQTT mapping',
      auditName: 'mqtt-mapping',
      duplicateMessage: (m) => `An MQTT mapping named "${m.name}" already exists`,
      validate: async (tx, m) => {
        await requireReference(tx, MachineEntity, m.machineId, 'machineId', 'machine');
        await requireReference(tx, ActivityCodeEntity, m.noSignalCodeId, 'noSignalCodeId', 'activity code');
        const codes = [...new Set(Object.values(m.rules?.stateCodes ?? {}))];
        const found = codes.length ? await tx.countBy(ActivityCodeEntity, { id: In(codes) }) : 0;
        if (found !== codes.length) {
          throw AppError.invalid('Unknown activity code in rules.stateCodes', [
            { path: ['rules', 'stateCodes'], message: 'every value must be an activity code id' },
          ]);
        }
      },
    }),
  };
}

async function names(rows: Promise<{ name: string }[]>): Promise<string[]> {
  return (await rows).map((r) => r.name);
}
