import type { DateFormat } from '../../core/calendar/site-format.js';
import type { Category } from '../../core/vocabulary.js';
import { Check, Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** The one row of site-wide settings (id is always 1). */
@Entity('site_settings')
@Check('site_settings_single_row', `"id" = 1`)
export class SiteSettingsEntity {
  @PrimaryColumn('int')
  id: number;

  /** IANA zone in which shifts and day buckets are defined. */
  @Column('text')
  timezone: string;

  /** Unplanned stops shorter than this between two running intervals are small stops (0 = off). */
  @Column('int', { default: 0 })
  microStopSeconds: number;

  /** Pair a new DigitME2 tablet with the first free machine without an admin (off by default). */
  @Column('boolean', { default: false })
  autoPairTablets: boolean;

  /** How far back (days) devices, tablets and operators may write; older history needs a supervisor. */
  @Column('int', { default: 31 })
  liveWindowDays: number;

  /** Minutes after which a stop of a category flags its wall tile, by category; absent or null = never. */
  @Column('jsonb')
  longStopMinutes: Partial<Record<Category, number | null>>;

  /** The address tablets and wall screens use (pairing links, QR codes); null = the admin browser's. */
  @Column('text', { nullable: true })
  publicUrl: string | null;

  /** How dates read on every screen (core/calendar/site-format.ts); ISO by default. */
  @Column('text', { default: 'YYYY-MM-DD' })
  dateFormat: DateFormat;
  /** Stops in planned time with a generic code (Down, No data) longer than this (minutes) owe a reason. */
  @Column('int', { default: 5 })
  reasonPromptMinutes: number;

  /** OEE target 0..1 of machines and groups without their own. */
  @Column('double precision', { default: 0.85 })
  oeeTarget: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
