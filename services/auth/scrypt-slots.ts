import { AppError } from '../../core/errors.js';

/**
 * A counting semaphore for scrypt: each hash takes 32 MiB and a libuv thread for ~50–100 ms, so a burst
 * of sign-ins would otherwise take the memory and the thread pool (file and DNS work waits on it too).
 * At most `running` hashes run; up to `waiting` more queue; beyond that the caller gets 503 at once.
 */
export class Slots {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly running: number,
    private readonly waiting: number,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.running) {
      if (this.queue.length >= this.waiting)
        throw new AppError('unavailable', 503, 'The server is busy checking sign-ins; try again in a moment');
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter (active stays the same), or free it.
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}
