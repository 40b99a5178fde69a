import type { DataSource } from 'typeorm';
import { AuditRepository } from './audit.repository.js';
import { CredentialRepository } from './credential.repository.js';
import { MachineStateRepository } from './machine-state.repository.js';
import { createSetupStores } from './setup-stores.js';
import { ShopFloorRepository } from './shop-floor.repository.js';
import { SiteRepository } from './site.repository.js';
import { TimelineRepository } from './timeline.repository.js';

export function createRepositories(dataSource: DataSource) {
  const audit = new AuditRepository(dataSource);
  return {
    audit,
    credentials: new CredentialRepository(dataSource),
    site: new SiteRepository(dataSource, audit),
    machineStates: new MachineStateRepository(dataSource),
    timeline: new TimelineRepository(dataSource),
    shopFloor: new ShopFloorRepository(dataSource),
    ...createSetupStores(dataSource, audit),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
