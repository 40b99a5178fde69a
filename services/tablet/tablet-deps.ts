import type { Clock } from '../../core/clock.js';
import type { ChangeFeed } from '../change-feed.js';
import type { DirectPersistence } from '../persistence.js';
import type { ShopFloorServices } from '../shop-floor.services.js';

/** What the tablet services are built from: the write path, the feed, the clock and the persistence they query. */
export type TabletServiceDeps = ShopFloorServices & DirectPersistence & { feed: ChangeFeed; clock: Clock };
