import { EventEmitter } from 'node:events';
import type { Category } from '../core/schemas/setup.schema.js';

/**
 * The post-commit hook: after a transaction that changed shop-floor data commits, the writer
 * publishes what changed here. The realtime hub, the roll-ups and the scheduler listen. In-process
 * only: the Socket.IO Postgres adapter carries realtime messages to other instances.
 */
export type CommittedChange =
  | {
      kind: 'machine-state';
      machineId: number;
      activityCodeId: number;
      category: Category;
      /** ISO time the current state began. */
      since: string;
      jobId: number | null;
      operatorId: number | null;
    }
  | {
      /** The timeline of a machine was re-projected from `from` on (late events, corrections). */
      kind: 'timeline';
      machineId: number;
      from: string;
    }
  | { kind: 'job'; machineId: number; jobId: number; action: 'started' | 'ended' | 'updated' }
  | { kind: 'production'; machineId: number; jobId: number | null; from: string; to: string; good: number; rejects: number }
  | { kind: 'operator'; machineId: number; operatorId: number | null }
  /** A shift started or ended: the machine's `offShift` flipped at `at`. */
  | { kind: 'shift'; machineId: number; offShift: boolean; at: string }
  | { kind: 'setup'; entity: string; id: number | null };

export class ChangeFeed {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  publish(change: CommittedChange): void {
    this.emitter.emit('change', change);
  }

  subscribe(listener: (change: CommittedChange) => void): () => void {
    const safe = (change: CommittedChange) => {
      try {
        listener(change);
      } catch {
        // A listener's failure must never reach the writer that already committed.
      }
    };
    this.emitter.on('change', safe);
    return () => this.emitter.off('change', safe);
  }
}
