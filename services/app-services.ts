import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Clock } from '../core/clock.js';
import type { Repositories } from '../db/repositories/index.js';
import type { AttemptLimiter } from './auth/attempt-limiter.js';
import type { Authenticator } from './auth/authenticator.js';
import type { LegacyAnonymousMode } from '../core/net/legacy-network.js';
import type { SessionService } from './auth/session.service.js';
import type { ChangeFeed } from './change-feed.js';
import type { MachineStateService } from './machine-state.service.js';
import type { OeeService } from './oee/oee.service.js';
import type { ShopFloorServices } from './shop-floor.services.js';
import type { UserService } from './user.service.js';
import type { VerifyService } from './verify.service.js';

/** What the HTTP layer needs, built once by the composition root. */
export interface AppServices extends ShopFloorServices {
  feed: ChangeFeed;
  /** Who may call the legacy device route without a key. */
  legacyAnonymous: LegacyAnonymousMode;
  dataSource: DataSource;
  repos: Repositories;
  clock: Clock;
  logger: Logger;
  authenticator: Authenticator;
  sessions: SessionService;
  /** The one PIN limit of this process, shared by the Socket.IO tablets and the DigitME2 routes. */
  pinAttempts: AttemptLimiter;
  users: UserService;
  machineStates: MachineStateService;
  oee: OeeService;
  verify: VerifyService;
  health: () => Promise<{ status: 'ok' | 'degraded'; database: string; influx: string; outbox?: { pending: number; oldestSeconds: number }; reason?: string }>;
}
