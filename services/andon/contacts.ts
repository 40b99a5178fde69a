import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { CONTACT_FLUSH_MS, countsAsContact } from '../../core/andon/no-data.js';
import type { AndonRepository, ContactBatchRow } from '../../db/repositories/andon.repository.js';

/** What the write path calls: one cheap, synchronous call per write (docs/oee.md "No data"). */
export interface ContactSink {
  /** `source` is the event source (`api`, `tablet`, ...), `sender` the sender label; system writes are ignored. */
  touch(sender: string, machineId: number, source: string): void;
}

export const noContacts: ContactSink = { touch: () => undefined };

/**
 * Last contacts, kept in memory per source and machine and written to PostgreSQL every few seconds in
 * one statement (AndonRepository.flushContacts), so the write path pays a map update, not a query.
 * Each instance flushes its own; the No data watcher (one instance) reads what all of them wrote.
 */
export class ContactTracker implements ContactSink {
  private pending = new Map<string, ContactBatchRow>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly repo: Pick<AndonRepository, 'flushContacts'>,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  touch(sender: string, machineId: number, source: string): void {
    if (!countsAsContact(source, sender)) return;
    const at = this.clock.now();
    const key = `${sender}\u0000${machineId}`;
    const row = this.pending.get(key);
    if (!row) this.pending.set(key, { sender, machineId, first: at, last: at });
    else if (at > row.last) row.last = at;
  }

  /** Writes what was touched since the last flush; a failed write is kept for the next one. */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.repo.flushContacts([...batch.values()]);
    } catch (err) {
      for (const [key, row] of batch) {
        const newer = this.pending.get(key);
        this.pending.set(key, newer ? { ...row, last: newer.last > row.last ? newer.last : row.last } : row);
      }
      throw err;
    }
  }

  start(everyMs = CONTACT_FLUSH_MS): this {
    this.timer = setInterval(() => {
      this.flush().catch((err: unknown) => this.logger.warn({ err }, 'writing last contacts failed; kept for the next flush'));
    }, everyMs);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush().catch((err: unknown) => this.logger.warn({ err }, 'writing last contacts on stop failed'));
  }
}
