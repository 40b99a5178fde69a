import type { DataSource } from 'typeorm';
import { AuditRepository } from './audit.repository.js';
import { CredentialRepository } from './credential.repository.js';
import { MachineStateRepository } from './machine-state.repository.js';
import { createSetupStores } from './setup-stores.js';
import { SiteRepository } from './site.repository.js';

export function createRepositories(dataSource: DataSource) {
  const audit = new AuditRepository(dataSource);
  return {
    audit,
    credentials: new CredentialRepository(dataSource),
    site: new SiteRepository(dataSource, audit),
    machineStates: new MachineStateRepository(dataSource),
    ...createSetupStores(dataSource, audit),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
