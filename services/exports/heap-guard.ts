import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Garbage an export may leave on the heap before it asks for a collection. */
const SLACK_BYTES = 32 * 1024 * 1024;

let collector: (() => void) | null | undefined;

/**
 * V8's full collector, when it can be had. `--expose-gc` set at run time exposes `gc` to contexts
 * created afterwards (not to the main one, so no other code sees it); null when that fails.
 */
function fullCollector(): (() => void) | null {
  if (collector === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      const gc: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
      collector = typeof gc === 'function' ? (gc as () => void) : null;
    } catch {
      collector = null;
    }
  }
  return collector;
}

/**
 * Keeps a long export from inflating the process. An export turns over its whole size in short-lived
 * objects (database rows, cells, XML), and under such an allocation rate V8 lets the old generation
 * grow several times over before it collects (the heap limit is far away), so a 200 000-row xlsx
 * export would raise the RSS by well over 100 MB though it only ever holds one batch. Checked after
 * each batch: once the heap has grown SLACK_BYTES past what survived the last collection, a full
 * collection runs (tens of ms on this app's heap, every few tens of thousands of rows). Measured on
 * a 200 000-row xlsx export (test/export.test.ts): RSS +120 MB over idle without it, +35 to 65 MB with
 * it, for an export up to about half as slow again.
 */
export class HeapGuard {
  private live = v8.getHeapStatistics().used_heap_size;

  check(): void {
    const used = v8.getHeapStatistics().used_heap_size;
    if (used - this.live < SLACK_BYTES) return;
    const collect = fullCollector();
    if (!collect) return;
    collect();
    this.live = v8.getHeapStatistics().used_heap_size;
  }
}
