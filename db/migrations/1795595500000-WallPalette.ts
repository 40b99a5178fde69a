import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The seeded codes' DigitME2 colours and their replacement (core/palette.ts); only a colour still equal to the old seed changes. */
const SEEDED: { id: number; old: string; next: string }[] = [
  { id: 1, old: '#00FF80', next: '#009E73' },
  { id: 2, old: '#B22222', next: '#D55E00' },
  { id: 3, old: '#C6C6C6', next: '#8C96A0' },
  { id: 4, old: '#00FF80', next: '#009E73' },
];

/**
 * Issue 18, the wall: long-stop thresholds per category (site setting), and the calm palette for the
 * seeded codes a site never recoloured. Codes users made or recoloured keep their colour.
 */
export class WallPalette1795595500000 implements MigrationInterface {
  name = 'WallPalette1795595500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "site_settings" ADD "longStopMinutes" jsonb NOT NULL DEFAULT '{"unplanned_stop":15,"planned_stop":30}'`,
    );
    // The default filled the existing row; a new site gets its thresholds from the seed (core/palette.ts).
    await queryRunner.query(`ALTER TABLE "site_settings" ALTER COLUMN "longStopMinutes" DROP DEFAULT`);
    for (const c of SEEDED) {
      await queryRunner.query(`UPDATE "activity_codes" SET "colour" = $1 WHERE "id" = $2 AND upper("colour") = $3`, [c.next, c.id, c.old]);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const c of SEEDED) {
      await queryRunner.query(`UPDATE "activity_codes" SET "colour" = $1 WHERE "id" = $2 AND upper("colour") = $3`, [c.old, c.id, c.next]);
    }
    await queryRunner.query(`ALTER TABLE "site_settings" DROP COLUMN "longStopMinutes"`);
  }
}
