import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Downtime causes on activity codes (docs/oee.md "Downtime causes"). Existing stop codes get `other`: what
 * a site's own codes stop for is not known from their names, and `other` is what the set-up page offers to
 * reclassify; running codes get none.
 */
export class ActivityCodeCauses1795595200000 implements MigrationInterface {
  name = 'ActivityCodeCauses1795595200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "activity_codes" ADD "cause" text`);
    await queryRunner.query(`UPDATE "activity_codes" SET "cause" = 'other' WHERE "category" <> 'running'`);
    await queryRunner.query(
      `ALTER TABLE "activity_codes" ADD CONSTRAINT "activity_codes_cause_valid" CHECK ("cause" IS NULL OR "cause" IN ('machine','operator','material','quality','other'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "activity_codes" DROP CONSTRAINT "activity_codes_cause_valid"`);
    await queryRunner.query(`ALTER TABLE "activity_codes" DROP COLUMN "cause"`);
  }
}
