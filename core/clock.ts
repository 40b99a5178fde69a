/** Injectable clock: everything that depends on "now" takes one, so tests can pin time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can set and move. */
export class FixedClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

/** Real time shifted by a fixed offset: tests that need "a few seconds before 17:00" on a real timer. */
export class OffsetClock implements Clock {
  private readonly offsetMs: number;
  constructor(now: Date | string) {
    this.offsetMs = new Date(now).getTime() - Date.now();
  }
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}
