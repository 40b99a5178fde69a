import type { DataSource } from 'typeorm';
import type { CommittedChange, SetupEntity } from '../../core/cluster/committed-change.js';
import { AlertSetupRepository } from './alert-setup.repository.js';
import { AlertsRepository } from './alerts.repository.js';
import { AndonRepository } from './andon.repository.js';
import { AuditRepository } from './audit.repository.js';
import { AuthAttemptRepository } from './auth-attempt.repository.js';
import { CredentialRepository } from './credential.repository.js';
import { EventAppendRepository } from './event-append.repository.js';
import { ExportRepository } from './export.repository.js';
import { HistoryEditRepository } from './history-edit.repository.js';
import { MachineStateRepository } from './machine-state.repository.js';
import { MqttRepository } from './mqtt.repository.js';
import { OeeDataRepository } from './oee-data.repository.js';
import { OeeRollupRepository } from './oee-rollup.repository.js';
import { PartsRepository } from './parts.repository.js';
import { ReportsRepository } from './reports.repository.js';
import { createSetupStores } from './setup-stores.js';
import { SchedulerRepository } from './scheduler.repository.js';
import { ShiftPatternRepository } from './shift-pattern.repository.js';
import { ShopFloorRepository } from './shop-floor.repository.js';
import { ShiftReportRepository } from './shift-report.repository.js';
import { SiteRepository } from './site.repository.js';
import { TabletWorkflowRepository } from './tablet-workflow.repository.js';
import { TimelineRepository } from './timeline.repository.js';
import { VerifyRepository } from './verify.repository.js';

/**
 * `feed` (optional in scripts and tests) hears a `setup` change after each committed set-up write.
 * `preparedStatements` (OEE_DB_PREPARED_STATEMENTS, on by default): the write path's statements are prepared.
 */
export function createRepositories(
  dataSource: DataSource,
  feed?: { publish(change: CommittedChange): void },
  { preparedStatements = true }: { preparedStatements?: boolean } = {},
) {
  const audit = new AuditRepository(dataSource);
  const onSetupChange = (entity: SetupEntity, id: number) => feed?.publish({ kind: 'setup', entity, id });
  return {
    audit,
    andon: new AndonRepository(dataSource),
    authAttempts: new AuthAttemptRepository(dataSource),
    credentials: new CredentialRepository(dataSource),
    site: new SiteRepository(dataSource, audit, onSetupChange),
    machineStates: new MachineStateRepository(dataSource),
    mqtt: new MqttRepository(dataSource),
    oeeData: new OeeDataRepository(dataSource),
    oeeRollups: new OeeRollupRepository(dataSource),
    timeline: new TimelineRepository(dataSource),
    eventAppend: new EventAppendRepository({ preparedStatements }),
    shopFloor: new ShopFloorRepository(dataSource),
    tabletWorkflow: new TabletWorkflowRepository(dataSource),
    scheduler: new SchedulerRepository(dataSource),
    exports: new ExportRepository(dataSource),
    historyEdits: new HistoryEditRepository(),
    reports: new ReportsRepository(dataSource),
    verify: new VerifyRepository(dataSource),
    shiftPatternEdits: new ShiftPatternRepository(dataSource, audit, onSetupChange),
    parts: new PartsRepository(dataSource, audit),
    alerts: new AlertsRepository(dataSource),
    alertSetup: new AlertSetupRepository(dataSource),
    shiftReports: new ShiftReportRepository(dataSource),
    ...createSetupStores(dataSource, audit, onSetupChange),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
