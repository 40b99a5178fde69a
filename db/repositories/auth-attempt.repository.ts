import type { DataSource, EntityManager } from 'typeorm';

export interface AttemptPolicy {
  /** Attempts a key may have in the window (a success resets the key). */
  limit: number;
  windowMs: number;
  /** From this many attempts on, each further one waits a delay doubling per attempt (null: no delays). */
  delayAfter: number | null;
  baseDelayMs: number;
  maxDelayMs: number;
}

export type AttemptOutcome = { allowed: true } | { allowed: false; retryAt: Date };

/**
 * The shared sign-in attempt counts (`auth_attempts`). `reserve` is one statement: the row lock of
 * INSERT … ON CONFLICT DO UPDATE serialises concurrent attempts on a key across every app instance, so
 * 40 parallel guesses see counts 1..40, never 40 times "0 so far". A refused attempt counts nothing.
 */
export class AuthAttemptRepository {
  private reservations = 0;

  constructor(private readonly dataSource: DataSource) {}

  async reserve(kind: string, subject: string, address: string, policy: AttemptPolicy, now: Date): Promise<AttemptOutcome> {
    const windowCutoff = new Date(now.getTime() - policy.windowMs);
    const rows: { refused: boolean; windowStart: Date; blockedUntil: Date | null }[] = await this.dataSource.query(
      `INSERT INTO auth_attempts AS a (kind, subject, address, count, "windowStart", refused, "blockedUntil")
       VALUES ($1, $2, $3, 1, $4, false, CASE WHEN $7::int <= 1 THEN $4::timestamptz + LEAST($9::float8, $8::float8) * interval '1 millisecond' END)
       ON CONFLICT (kind, subject, address) DO UPDATE SET
         refused = CASE
           WHEN a."windowStart" <= $5 THEN false
           ELSE a.count >= $6 OR coalesce(a."blockedUntil" > $4, false) END,
         count = CASE
           WHEN a."windowStart" <= $5 THEN 1
           WHEN a.count >= $6 OR coalesce(a."blockedUntil" > $4, false) THEN a.count
           ELSE a.count + 1 END,
         "blockedUntil" = CASE
           WHEN a."windowStart" <= $5 THEN CASE WHEN $7::int <= 1 THEN $4::timestamptz + LEAST($9::float8, $8::float8) * interval '1 millisecond' END
           WHEN a.count >= $6 OR coalesce(a."blockedUntil" > $4, false) THEN a."blockedUntil"
           WHEN a.count + 1 >= $7 THEN $4::timestamptz + LEAST($9::float8, $8::float8 * power(2, a.count + 1 - $7)) * interval '1 millisecond'
           ELSE NULL END,
         "windowStart" = CASE WHEN a."windowStart" <= $5 THEN $4 ELSE a."windowStart" END
       RETURNING refused, "windowStart", "blockedUntil"`,
      [kind, subject, address, now, windowCutoff, policy.limit, policy.delayAfter ?? 2 ** 30, policy.baseDelayMs, policy.maxDelayMs],
    );
    if (++this.reservations % 1000 === 0) await this.prune(now, policy.windowMs);
    const row = rows[0]!;
    if (!row.refused) return { allowed: true };
    const windowEnd = new Date(new Date(row.windowStart).getTime() + policy.windowMs);
    const blockedUntil = row.blockedUntil ? new Date(row.blockedUntil) : null;
    const retryAt = blockedUntil && blockedUntil > now && blockedUntil < windowEnd ? blockedUntil : windowEnd;
    return { allowed: false, retryAt };
  }

  /** A success: the key starts afresh. */
  async release(kind: string, subject: string, address: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM auth_attempts WHERE kind = $1 AND subject = $2 AND address = $3`, [kind, subject, address]);
  }

  /** Every address's count of these subjects (an admin's unlock); returns how many keys were cleared. */
  async clearSubjects(manager: EntityManager, subjects: { kind: string; subject: string }[]): Promise<number> {
    let cleared = 0;
    for (const { kind, subject } of subjects) {
      const result: [unknown[], number] = await manager.query(`DELETE FROM auth_attempts WHERE kind = $1 AND subject = $2`, [
        kind,
        subject,
      ]);
      cleared += result[1];
    }
    return cleared;
  }

  /** Rows whose window and delay are over count nothing any more. */
  private async prune(now: Date, windowMs: number): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM auth_attempts WHERE "windowStart" <= $1 AND ("blockedUntil" IS NULL OR "blockedUntil" <= $2)`,
      [new Date(now.getTime() - windowMs), now],
    );
  }
}
