import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each correction was made, by the app's clock (docs/oee.md "Reason KPIs": the time a stop's reason was
 * given). Corrections stored before this keep the time the database received them.
 */
export class CorrectionTimes1795595870000 implements MigrationInterface {
  name = 'CorrectionTimes1795595870000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "state_events" ADD "correctedAt" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`UPDATE "state_events" SET "correctedAt" = "receivedAt" WHERE "until" IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "state_events" DROP COLUMN "correctedAt"`);
  }
}
