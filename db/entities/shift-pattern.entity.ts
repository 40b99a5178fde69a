import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { PatternVersion } from '../../core/calendar/index.js';

/**
 * A weekly shift pattern. Shifts and exceptions are read and written as a whole (validated by the
 * core schemas on the way in), so they are stored as JSON documents of the pattern. The row holds the
 * latest version; the versions before it, each in force until the next one's date, are kept with it
 * (docs/oee.md#shift-pattern-versions), so every reader of the row sees all of them at once.
 */
@Entity('shift_patterns')
export class ShiftPatternEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Index('shift_patterns_name_unique', { unique: true })
  @Column('text')
  name: string;

  /** `[{days: [1..7], start: "HH:MM", end: "HH:MM"}]`, 1 = Monday; end ≤ start crosses midnight. */
  @Column('jsonb', { default: () => `'[]'` })
  shifts: PatternVersion['shifts'];

  /** `[{date: "YYYY-MM-DD", shifts: [{start, end}]}]`: replaces the shifts that start on that date. */
  @Column('jsonb', { default: () => `'[]'` })
  exceptions: PatternVersion['exceptions'];

  /** The local date (YYYY-MM-DD) `shifts` and `exceptions` take effect; null = they always have. Text, not `date`: no driver turns it into an instant. */
  @Column('text', { nullable: true })
  effectiveFrom: string | null;

  /** The versions before the latest, oldest first: `[{from: "YYYY-MM-DD" | null, shifts, exceptions}]`. */
  @Column('jsonb', { default: () => `'[]'` })
  earlierVersions: PatternVersion[];
}
