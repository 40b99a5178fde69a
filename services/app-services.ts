import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { LegacyAnonymousMode } from '../core/net/legacy-network.js';
import type { AlertDeliveryService } from './alerts/alert-delivery.service.js';
import type { AlertSetupService } from './alerts/alert-setup.service.js';
import type { AlertsService } from './alerts/alerts.service.js';
import type { ShiftReportService } from './alerts/shift-report.service.js';
import type { AndonService } from './andon/andon.service.js';
import type { NoDataWatch } from './andon/no-data-watch.js';
import type { AttemptLimiter } from './auth/attempt-limiter.js';
import type { Authenticator } from './auth/authenticator.js';
import type { SessionService } from './auth/session.service.js';
import type { ChangeFeed } from './change-feed.js';
import type { ExportService } from './exports/export.service.js';
import type { LegacyTabletService } from './legacy-tablet.service.js';
import type { MachineStateService } from './machine-state.service.js';
import type { OeeService } from './oee/oee.service.js';
import type { PartsService } from './parts.service.js';
import type { MqttMappingsService } from './mqtt/mqtt-mappings.service.js';
import type { ReportsService } from './reports.service.js';
import type { ScheduledTasksService } from './scheduled-tasks.service.js';
import type { SetupService } from './setup.service.js';
import type { ShiftBoundaryService } from './shift-boundary.service.js';
import type { ShopFloorServices } from './shop-floor.services.js';
import type { ResumeNotesService } from './tablet/resume-notes.service.js';
import type { UserService } from './user.service.js';
import type { VerifyService } from './verify.service.js';

/**
 * What the transports (ingest/, realtime/, scheduler/) are given, built once by the composition root
 * (server.ts): the application services, the clock and the logger. No repository and no data source:
 * every query is behind a service (docs/architecture.md "Layers: the target").
 */
export interface AppServices extends ShopFloorServices {
  clock: Clock;
  logger: Logger;
  feed: ChangeFeed;
  /** Who may call the DigitME2 routes without a key (OEE_LEGACY_ANONYMOUS). */
  legacyAnonymous: LegacyAnonymousMode;
  authenticator: Authenticator;
  sessions: SessionService;
  /** The one PIN limit of this process, shared by the Socket.IO tablets and the DigitME2 routes. */
  pinAttempts: AttemptLimiter;
  users: UserService;
  setup: SetupService;
  parts: PartsService;
  mqttMappings: MqttMappingsService;
  machineStates: MachineStateService;
  oee: OeeService;
  reports: ReportsService;
  exports: ExportService;
  verify: VerifyService;
  legacyTablet: LegacyTabletService;
  resumeNotes: ResumeNotesService;
  shiftBoundaries: ShiftBoundaryService;
  scheduledTasks: ScheduledTasksService;
  /** Andon: alerts, their deliveries, their set-up, and the shift reports (docs/alerts.md). */
  alerts: AlertsService;
  alertDeliveries: AlertDeliveryService;
  alertSetup: AlertSetupService;
  shiftReports: ShiftReportService;
  andon: AndonService;
  /** Run by the scheduler role: silence → No data and back (docs/oee.md "No data"). */
  noDataWatch: NoDataWatch;
  health: () => Promise<{
    status: 'ok' | 'degraded';
    database: string;
    influx: string;
    outbox?: { pending: number; oldestSeconds: number };
    reason?: string;
    mqtt?: string;
  }>;
}
