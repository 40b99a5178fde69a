import { randomUUID } from 'node:crypto';
import type { MqttRepository } from '../../db/repositories/mqtt.repository.js';

/** How long a lease lasts without renewal, and how often its holder renews it (and the others try to take it). */
export const LEASE_TTL_MS = 15_000;
export const LEASE_RENEW_MS = 5_000;

/**
 * The cluster's one MQTT subscriber (docs/mqtt.md "One subscriber per cluster"): a row in PostgreSQL that one
 * instance holds and renews; when its holder dies the row expires and the next instance to try takes it, within
 * LEASE_TTL_MS + LEASE_RENEW_MS.
 */
export class MqttLease {
  readonly holder = randomUUID();

  constructor(
    private readonly repo: Pick<MqttRepository, 'acquireLease' | 'releaseLease'>,
    private readonly ttlMs = LEASE_TTL_MS,
    private readonly name = 'subscriber',
  ) {}

  /** Takes or renews the lease: true while this instance holds it. */
  acquire(): Promise<boolean> {
    return this.repo.acquireLease(this.name, this.holder, this.ttlMs);
  }

  release(): Promise<void> {
    return this.repo.releaseLease(this.name, this.holder);
  }
}
