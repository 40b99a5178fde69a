import type { EntityManager } from 'typeorm';
import type { Category } from '../core/schemas/setup.schema.js';
import type { ChangeFeed } from './change-feed.js';
import type { ShopFloorRepository } from '../db/repositories/shop-floor.repository.js';

export interface CodeFacts {
  id: number;
  category: Category;
  active: boolean;
}

type Tables = { machines: Set<number>; codes: Map<number, CodeFacts> };

/**
 * Which machines exist and what each activity code's category is, as the state-event write path
 * checks them on every event: kept in memory, and forgotten whenever a machine or an activity code
 * is written on any instance (the change feed's `setup` changes, local and remote) or changes may
 * have been missed (a gap on the cluster channel). The next write reads both tables again.
 *
 * An id the tables do not hold (a machine created a moment ago, or inside the caller's own
 * transaction) is looked up in the caller's transaction and not kept, so a miss costs one query
 * and is never wrong. The tables are loaded outside any transaction (`ready`, before a write opens
 * its own); a write inside another service's transaction never waits for a second connection.
 */
export class WriteMetadata {
  private tables: Tables | null = null;
  private loading: Promise<void> | null = null;
  /** Bumped by every forget: a load that began before it is not kept. */
  private generation = 0;

  constructor(private readonly shopFloor: ShopFloorRepository) {}

  listen(feed: ChangeFeed): () => void {
    const off = feed.subscribe(
      (change) => {
        if (change.kind === 'setup' && (change.entity === 'machine' || change.entity === 'activity-code')) this.forget();
      },
      { remote: true },
    );
    const offGap = feed.onGap(() => this.forget());
    return () => {
      off();
      offGap();
    };
  }

  forget(): void {
    this.generation++;
    this.tables = null;
    this.loading = null;
  }

  /** Loads the tables if they are not held; a failure only means the next write reads in its transaction. */
  async ready(): Promise<void> {
    if (this.tables) return;
    this.loading ??= this.load();
    await this.loading;
  }

  async machines(tx: EntityManager, ids: number[]): Promise<Set<number>> {
    const known = this.tables?.machines;
    if (!known) void this.ready();
    const missing = known ? ids.filter((id) => !known.has(id)) : ids;
    const found = new Set(ids.filter((id) => known?.has(id)));
    if (missing.length) for (const id of (await this.shopFloor.machines(tx, missing)).keys()) found.add(id);
    return found;
  }

  async codes(tx: EntityManager, ids: number[]): Promise<Map<number, CodeFacts>> {
    const known = this.tables?.codes;
    if (!known) void this.ready();
    const out = new Map<number, CodeFacts>();
    const missing: number[] = [];
    for (const id of ids) {
      const code = known?.get(id);
      if (code) out.set(id, code);
      else missing.push(id);
    }
    if (missing.length) for (const [id, code] of await this.shopFloor.codes(tx, missing)) out.set(id, code);
    return out;
  }

  private async load(): Promise<void> {
    const generation = this.generation;
    try {
      const [machines, codes] = await Promise.all([this.shopFloor.allMachineIds(), this.shopFloor.allCodes()]);
      if (generation === this.generation) this.tables = { machines: new Set(machines), codes };
    } catch {
      // The database is away: writes read what they need in their own transaction (and fail there, clearly).
    } finally {
      if (generation === this.generation) this.loading = null;
    }
  }
}
