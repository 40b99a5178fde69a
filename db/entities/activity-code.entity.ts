import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Category, DowntimeCause } from '../../core/schemas/setup.schema.js';

@Entity('activity_codes')
@Check('activity_codes_category_valid', `"category" IN ('running','unplanned_stop','planned_stop','planned_shutdown')`)
@Check('activity_codes_cause_valid', `"cause" IS NULL OR "cause" IN ('machine','operator','material','quality','other')`)
@Check('activity_codes_colour_valid', `"colour" ~ '^#[0-9A-Fa-f]{6}$'`)
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
}
