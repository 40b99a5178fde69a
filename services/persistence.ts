import type { DataSource } from 'typeorm';
import type { Repositories } from '../db/repositories/index.js';
import type { TimelineRepository } from '../db/repositories/timeline.repository.js';

/** The persistence the composition root hands to the services that query tables themselves; never to a transport. */
export interface DirectPersistence {
  dataSource: DataSource;
  repos: Repositories;
  timeline: TimelineRepository;
}
