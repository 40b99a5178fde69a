import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { LegacyAnonymousMode } from '../core/net/legacy-network.js';
import { WallAlertsRepository } from '../db/repositories/wall-alerts.repository.js';
import { OutboxRepository, outboxWriterFor } from '../db/influx/outbox.repository.js';
import { AlertDeliveryService } from './alerts/alert-delivery.service.js';
import { AlertSetupService } from './alerts/alert-setup.service.js';
import { alertKinds } from './alerts/alert-kinds.js';
import { AlertsService } from './alerts/alerts.service.js';
import { AlertAnnouncer } from './alerts/alert-announcer.js';
import type { Mailer } from './alerts/mailer.js';
import { ShiftReportService } from './alerts/shift-report.service.js';
import type { Authenticator } from './auth/authenticator.js';
import { AttemptLimiter, LOGIN_LIMITS, PIN_LIMITS } from './auth/attempt-limiter.js';
import { SessionService } from './auth/session.service.js';
import type { AppServices } from './app-services.js';
import type { DirectPersistence } from './persistence.js';
import { ExportService } from './exports/export.service.js';
import { LegacyTabletService } from './legacy-tablet.service.js';
import { MachineStateService } from './machine-state.service.js';
import { OeeService } from './oee/oee.service.js';
import { ReportsService } from './reports.service.js';
import { ResumeNotesService } from './tablet/resume-notes.service.js';
import { ScheduledTasksService } from './scheduled-tasks.service.js';
import { PartsService } from './parts.service.js';
import { SetupService } from './setup.service.js';
import { ShiftBoundaryService } from './shift-boundary.service.js';
import { UserService } from './user.service.js';
import { VerifyService } from './verify.service.js';
import { ChangeFeed } from './change-feed.js';
import { AndonService } from './andon/andon.service.js';
import { ContactTracker } from './andon/contacts.js';
import { NoDataWatch } from './andon/no-data-watch.js';
import { createShopFloorServices } from './shop-floor.services.js';
import { MqttMappingsService } from './mqtt/mqtt-mappings.service.js';

export interface ServiceSettings {
  contacts: ContactTracker;
  feed: ChangeFeed;
  outbox: OutboxRepository;
  authenticator: Authenticator;
  sessionSecret: string;
  legacyAnonymous: LegacyAnonymousMode;
  clock: Clock;
  logger: Logger;
  health: AppServices['health'];
  mailer: Mailer | null;
}

/** Every application service, wired once: what the transports are given (services/app-services.ts). */
export function createAppServices(persistence: DirectPersistence, settings: ServiceSettings): AppServices {
  const { dataSource, repos } = persistence;
  const { feed, outbox, authenticator, clock, logger } = settings;
  const shopFloor = createShopFloorServices(dataSource, repos, feed, outboxWriterFor(outbox), clock);
  // The one hook of the write path: every device write is a contact.
  shopFloor.stateEvents.contacts = settings.contacts;
  shopFloor.production.contacts = settings.contacts;
  const pinAttempts = new AttemptLimiter(repos.authAttempts, clock, 'pin', PIN_LIMITS);
  const users = new UserService(dataSource, repos.audit, repos.authAttempts, repos.tabletWorkflow, clock);
  const machineStates = new MachineStateService(repos, clock);
  const oee = new OeeService(repos, clock, logger);
  const verify = new VerifyService(dataSource, repos, shopFloor.stateEvents, oee);
  const reports = new ReportsService({ repos, oee, clock });
  const exports = new ExportService(repos, reports);
  const { mailer } = settings;
  const alertAnnouncer = new AlertAnnouncer(new WallAlertsRepository(dataSource), feed, logger);
  return {
    ...shopFloor,
    clock,
    logger,
    feed,
    legacyAnonymous: settings.legacyAnonymous,
    authenticator,
    sessions: new SessionService(
      repos.credentials,
      new AttemptLimiter(repos.authAttempts, clock, 'login', LOGIN_LIMITS),
      settings.sessionSecret,
      clock,
      feed,
    ),
    pinAttempts,
    users,
    setup: new SetupService({ repos, machineStates, oee, users, authenticator, feed, clock }),
    parts: new PartsService({ repos }),
    mqttMappings: new MqttMappingsService(repos),
    machineStates,
    oee,
    reports,
    exports,
    verify,
    legacyTablet: new LegacyTabletService({ ...shopFloor, ...persistence, feed, clock, pinAttempts, logger }),
    resumeNotes: new ResumeNotesService(repos),
    shiftBoundaries: new ShiftBoundaryService(dataSource, repos.scheduler, repos.site, repos.shopFloor, shopFloor.jobs, feed, clock),
    scheduledTasks: new ScheduledTasksService({ oee, verify, site: repos.site, credentials: repos.credentials, outbox, clock }),
    alerts: new AlertsService({
      alerts: repos.alerts,
      setup: repos.alertSetup,
      kinds: alertKinds({ repos, reasonQueue: shopFloor.reasonQueue, oee }),
      names: repos.shiftReports,
      credentials: repos.credentials,
      operators: repos.tabletWorkflow,
      clock,
      announce: (ids) => alertAnnouncer.announce(ids),
    }),
    alertDeliveries: new AlertDeliveryService({ alerts: repos.alerts, setup: repos.alertSetup, mailer, clock }),
    alertSetup: new AlertSetupService({ repo: repos.alertSetup, clock }),
    shiftReports: new ShiftReportService({
      reports: repos.shiftReports,
      site: repos.site,
      oee,
      exports,
      mailer,
      clock,
      reasonDebt: async (groupId) => (await shopFloor.reasonQueue.list({ groupId })).debts,
    }),
    health: settings.health,
    andon: new AndonService({ repo: repos.andon, contacts: settings.contacts }),
    noDataWatch: new NoDataWatch({ repo: repos.andon, contacts: settings.contacts, stateEvents: shopFloor.stateEvents, clock, logger }),
  };
}
