import type { MigrationInterface, QueryRunner } from 'typeorm';

/** How dates read on every screen (issue 18, core/calendar/site-format.ts); existing sites keep ISO dates. */
export class SiteDateFormat1795595700000 implements MigrationInterface {
  name = 'SiteDateFormat1795595700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "site_settings" ADD "dateFormat" text NOT NULL DEFAULT 'YYYY-MM-DD'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "site_settings" DROP COLUMN "dateFormat"`);
  }
}
