import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The machine's pre-filled job-start input (issue 17; DigitME2's autofill checkbox and amount). */
export class MachineJobStartAutofill1795595300000 implements MigrationInterface {
  name = 'MachineJobStartAutofill1795595300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "machines" ADD "jobStartAutofill" double precision`);
    await queryRunner.query(
      `ALTER TABLE "machines" ADD CONSTRAINT "machines_job_start_autofill_positive" CHECK ("jobStartAutofill" IS NULL OR "jobStartAutofill" > 0)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "machines" DROP CONSTRAINT "machines_job_start_autofill_positive"`);
    await queryRunner.query(`ALTER TABLE "machines" DROP COLUMN "jobStartAutofill"`);
  }
}
