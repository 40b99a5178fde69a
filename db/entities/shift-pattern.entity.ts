import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A weekly shift pattern. Shifts and exceptions are read and written as a whole (validated by the
 * core schemas on the way in), so they are stored as JSON documents of the pattern.
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
  shifts: { days: number[]; start: string; end: string }[];

  /** `[{date: "YYYY-MM-DD", shifts: [{start, end}]}]`: replaces the shifts that start on that date. */
  @Column('jsonb', { default: () => `'[]'` })
  exceptions: { date: string; shifts: { start: string; end: string }[] }[];
}
