import { AlertDeliveryEntity } from './alert-delivery.entity.js';
import { AlertRuleEntity } from './alert-rule.entity.js';
import { AlertEntity } from './alert.entity.js';
import { ReportSubscriptionEntity } from './report-subscription.entity.js';
import { ShiftReportEntity } from './shift-report.entity.js';
import { WebhookEntity } from './webhook.entity.js';
import { ActivityCodeEntity } from './activity-code.entity.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { AuditEntryEntity } from './audit-entry.entity.js';
import { AuthAttemptEntity } from './auth-attempt.entity.js';
import { DataSourceEntity } from './data-source.entity.js';
import { GroupEntity } from './group.entity.js';
import { InfluxOutboxEntity } from './influx-outbox.entity.js';
import { JobEntity } from './job.entity.js';
import { KioskTokenEntity } from './kiosk-token.entity.js';
import { MachineEntity } from './machine.entity.js';
import { MqttCounterEntity, MqttLeaseEntity, MqttMappingEntity } from './mqtt.entity.js';
import { OeeHourlyLossEntity } from './oee-hourly-loss.entity.js';
import { OeeHourlyEntity } from './oee-hourly.entity.js';
import { PartEntity } from './part.entity.js';
import { ProductionRecordEntity } from './production-record.entity.js';
import { ResumeNoteEntity } from './resume-note.entity.js';
import { SchedulerStateEntity } from './scheduler-state.entity.js';
import { SessionEntity } from './session.entity.js';
import { ShiftPatternEntity } from './shift-pattern.entity.js';
import { SiteSettingsEntity } from './site-settings.entity.js';
import { StateEventEntity } from './state-event.entity.js';
import { TabletEntity } from './tablet.entity.js';
import { TimelineIntervalEntity } from './timeline-interval.entity.js';
import { UserEntity } from './user.entity.js';

export {
  WebhookEntity,
  ShiftReportEntity,
  ReportSubscriptionEntity,
  AlertEntity,
  AlertRuleEntity,
  AlertDeliveryEntity,
  ActivityCodeEntity,
  ApiKeyEntity,
  AuditEntryEntity,
  AuthAttemptEntity,
  DataSourceEntity,
  GroupEntity,
  InfluxOutboxEntity,
  JobEntity,
  KioskTokenEntity,
  MachineEntity,
  MqttCounterEntity,
  MqttLeaseEntity,
  MqttMappingEntity,
  OeeHourlyEntity,
  OeeHourlyLossEntity,
  PartEntity,
  ProductionRecordEntity,
  ResumeNoteEntity,
  SchedulerStateEntity,
  SessionEntity,
  ShiftPatternEntity,
  SiteSettingsEntity,
  StateEventEntity,
  TabletEntity,
  TimelineIntervalEntity,
  UserEntity,
};

export const entities = [
  WebhookEntity,
  ShiftReportEntity,
  ReportSubscriptionEntity,
  AlertEntity,
  AlertRuleEntity,
  AlertDeliveryEntity,
  ActivityCodeEntity,
  ApiKeyEntity,
  AuditEntryEntity,
  AuthAttemptEntity,
  DataSourceEntity,
  GroupEntity,
  InfluxOutboxEntity,
  JobEntity,
  KioskTokenEntity,
  MachineEntity,
  MqttCounterEntity,
  MqttLeaseEntity,
  MqttMappingEntity,
  OeeHourlyEntity,
  OeeHourlyLossEntity,
  PartEntity,
  ProductionRecordEntity,
  ResumeNoteEntity,
  SchedulerStateEntity,
  SessionEntity,
  ShiftPatternEntity,
  SiteSettingsEntity,
  StateEventEntity,
  TabletEntity,
  TimelineIntervalEntity,
  UserEntity,
];
