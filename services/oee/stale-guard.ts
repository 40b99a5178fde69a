import type { RollupRows } from '../../db/repositories/oee-rollup.repository.js';

/** A change heard while computations ran: rows of `machineId` (null: every machine) ending after `cutMs` may be stale. */
interface Touched {
  seq: number;
  machineId: number | null;
  cutMs: number;
  /** Asks for the change's delete again. */
  redo: () => void;
}

/**
 * Keeps a computation that overlapped a change from storing rows the change may have made stale
 * (docs/oee.md#invalidation). Every change heard (OeeInvalidation) takes the next sequence number;
 * a computation takes the current number as its snapshot when it starts, and may store a row only
 * when no later change touched it. Changes are remembered only while computations run.
 */
export class StaleGuard {
  private seq = 0;
  private touched: Touched[] = [];
  private readonly running = new Map<number, number>(); // snapshot seq → computations using it

  /** A change of `machineId` (null: all machines) from `cutMs` on; `redo` asks for its delete again. */
  remember(machineId: number | null, cutMs: number, redo: () => void): void {
    this.seq += 1;
    if (this.running.size > 0) this.touched.push({ seq: this.seq, machineId, cutMs, redo });
  }

  /** A computation starts: its snapshot. */
  begin(): number {
    this.running.set(this.seq, (this.running.get(this.seq) ?? 0) + 1);
    return this.seq;
  }

  /** Another holder of a running computation's snapshot (the roll-up writer, until its rows are written); ended by `end`. */
  retain(snapshot: number): void {
    this.running.set(snapshot, (this.running.get(snapshot) ?? 0) + 1);
  }

  /** The computation of `snapshot` is done: changes no running computation predates are forgotten. */
  end(snapshot: number): void {
    const left = (this.running.get(snapshot) ?? 1) - 1;
    if (left > 0) this.running.set(snapshot, left);
    else this.running.delete(snapshot);
    const oldest = Math.min(...this.running.keys());
    this.touched = this.running.size === 0 ? [] : this.touched.filter((g) => g.seq > oldest);
  }

  /**
   * `storable` for many rows of one snapshot: the changes heard since are folded once into the
   * earliest cut per machine (and for all machines), so each row is one lookup, however many
   * changes a busy site published meanwhile.
   */
  storableSince(snapshot: number): (machineId: number, to: number) => boolean {
    let all = Infinity;
    const byMachine = new Map<number, number>();
    for (const g of this.touched) {
      if (g.seq <= snapshot) continue;
      if (g.machineId === null) all = Math.min(all, g.cutMs);
      else byMachine.set(g.machineId, Math.min(byMachine.get(g.machineId) ?? Infinity, g.cutMs));
    }
    return (machineId, to) => to <= Math.min(all, byMachine.get(machineId) ?? Infinity);
  }

  /** Whether a row ending at `to`, computed from data read after `snapshot`, may still be stored. */
  storable(snapshot: number, machineId: number, to: number): boolean {
    return !this.touched.some((g) => g.seq > snapshot && (g.machineId === null || g.machineId === machineId) && to > g.cutMs);
  }

  /** The sequence number of the last change heard, to pass to `redoTouched` after a write. */
  last(): number {
    return this.seq;
  }

  /**
   * A change heard after `seq` (while `rows` were being written) may have had its delete run before
   * the rows were visible to it: asks again for the deletes of those touching them. Whether any did.
   */
  redoTouched(seq: number, rows: RollupRows): boolean {
    const touches = (g: Touched) => {
      for (let i = 0; i < rows.length; i++) {
        if ((g.machineId === null || g.machineId === rows.machineIds[i]) && rows.end(i) > g.cutMs) return true;
      }
      return false;
    };
    const late = this.touched.filter((g) => g.seq > seq && touches(g));
    for (const g of late) g.redo();
    return late.length > 0;
  }
}
