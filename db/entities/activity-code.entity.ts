import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Category, DowntimeCause } from '../../core/schemas/setup.schema.js';

@Entity('activity_codes')
@Check('activity_codes_category_valid', `"category" IN ('running','unplanned_stop','planned_stop','planned_shutdown')`)
@Check('activity_codes_cause_valid', `"cause" IS NULL OR "cause" IN ('machine','operator','material','quality','other')`)
@Check('activity_codes_colour_valid', `"colour" ~ '^#[0-9A-Fa-f]{6}$'`)
@Check('activity_codes_flag_valid', `"flag" IS NULL OR "flag" IN ('no_signal')`)
export class ActivityCodeEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Index('activity_codes_short_description_unique', { unique: true })
  @Column('text')
  shortDescription: string;

  @Column('text', { default: '' })
  longDescription: string;

  @Column('text')
  category: Category;

  /** Why the machine stops (docs/oee.md "Downtime causes"); null on running codes. */
  @Column('text', { nullable: true })
  cause: DowntimeCause | null;

  @Column('text')
  colour: string;

  @Column('boolean', { default: true })
  active: boolean;

  /** Which built-in code this is when it has no fixed id (`no_data`, core/state/built-in-codes.ts); null for the others. */
  @Index('activity_codes_built_in_unique', { unique: true, where: '"builtIn" IS NOT NULL' })
  @Column('text', { nullable: true })
  builtIn: 'no_data' | null;

  /** A mark on how the code's time counts (docs/oee.md "No data"): `no_signal` = the machine was silent. */
  @Column('text', { nullable: true })
  flag: 'no_signal' | null;
}
