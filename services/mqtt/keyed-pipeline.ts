/**
 * Runs tasks concurrently across keys and strictly in order within each key (docs/mqtt.md "Throughput"): a
 * task starts once every earlier task that shares one of its keys has settled. At most `limit` tasks are
 * under way or waiting at once; `room` waits for a place (the transport stops reading meanwhile).
 *
 * A failure stops its keys: a later task of the same key in the same generation is not run (it fails too),
 * so nothing of a machine is written past a message that was not. `reset` begins a new generation (after
 * the transport reconnected to have the failed messages again): its tasks run after the old ones settle,
 * whatever became of them.
 */
export class KeyedPipeline {
  private readonly tails = new Map<string, { done: Promise<unknown>; generation: number }>();
  private generation = 0;
  private pending = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /** Tasks under way or waiting for their keys. */
  get size(): number {
    return this.pending;
  }

  /** Resolves when one more task may be submitted. */
  async room(): Promise<void> {
    while (this.pending >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Resolves once every task submitted so far has settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.tails.values()].map((t) => t.done));
  }

  reset(): void {
    this.generation++;
  }

  run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const generation = this.generation;
    const before = [...new Set(keys)].map((k) => this.tails.get(k)).filter((t) => t !== undefined);
    this.pending++;
    const result = Promise.allSettled(before.map((t) => t.done)).then((settled) => {
      const failed = settled.some((s, i) => s.status === 'rejected' && before[i]!.generation === generation);
      if (failed) throw new Error('an earlier message of the same machine was not processed');
      return task();
    });
    const tail = { done: result, generation };
    for (const key of new Set(keys)) this.tails.set(key, tail);
    // Handled here, so a failure is reported once: to the caller of `run`, through `result`.
    void result
      .catch(() => undefined)
      .finally(() => {
        this.pending--;
        for (const key of new Set(keys)) if (this.tails.get(key) === tail) this.tails.delete(key);
        this.waiting.shift()?.();
      });
    return result;
  }
}
