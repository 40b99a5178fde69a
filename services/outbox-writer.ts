import type { EntityManager } from 'typeorm';
import type { Category } from '../core/schemas/setup.schema.js';
import type { NewStateEvent } from '../db/repositories/timeline.repository.js';

/** What the write path tells the InfluxDB outbox, inside its transaction. */
export interface OutboxWriter {
  stateChanges(tx: EntityManager, events: NewStateEvent[], codes: Map<number, { category: Category }>): Promise<void>;
  production(
    tx: EntityManager,
    record: { machineId: number; jobId: number | null; from: Date; to: Date; good: number; rejects: number },
  ): Promise<void>;
  /** After commit: new rows wait for the relay. */
  notify(): void;
}
