/**
 * Groups concurrent writes into shared transactions (group commit). While one group commits, new
 * submissions wait; the next group takes as many as fit in `maxItems`. If a group fails with a
 * refusal (an AppError: one caller's bad input), every member is retried on its own, so each caller
 * gets its own answer and a bad batch never takes good ones down with it.
 */
import { AppError } from '../core/errors.js';

interface Pending<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class WriteBatcher<T, R> {
  private queue: Pending<T, R>[] = [];
  private running = 0;

  constructor(
    private readonly options: {
      maxItems: number;
      /** How many transactions run at once (per-machine locks keep each machine's order). */
      lanes?: number;
      weight: (item: T) => number;
      runGroup: (items: T[]) => Promise<R[]>;
      runOne: (item: T) => Promise<R>;
    },
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.running < (this.options.lanes ?? 2) && this.queue.length > 0) {
      const group: Pending<T, R>[] = [];
      let weight = 0;
      while (this.queue.length > 0) {
        const w = this.options.weight(this.queue[0]!.item);
        if (group.length > 0 && weight + w > this.options.maxItems) break;
        group.push(this.queue.shift()!);
        weight += w;
      }
      this.running++;
      void this.run(group).finally(() => {
        this.running--;
        this.drain();
      });
    }
  }

  private async run(group: Pending<T, R>[]): Promise<void> {
    if (group.length === 1) {
      const [p] = group;
      await this.options.runOne(p!.item).then(p!.resolve, p!.reject);
      return;
    }
    try {
      const results = await this.options.runGroup(group.map((p) => p.item));
      group.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      if (!(err instanceof AppError)) {
        for (const p of group) p.reject(err);
        return;
      }
      for (const p of group) await this.options.runOne(p.item).then(p.resolve, p.reject);
    }
  }
}
