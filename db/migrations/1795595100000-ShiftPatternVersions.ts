import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ShiftPatternVersions1795595100000 implements MigrationInterface {
  name = 'ShiftPatternVersions1795595100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Existing patterns have always been as they are: no start date, no earlier versions.
    await queryRunner.query(`ALTER TABLE "shift_patterns" ADD "effectiveFrom" text`);
    await queryRunner.query(`ALTER TABLE "shift_patterns" ADD "earlierVersions" jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "shift_patterns" DROP COLUMN "earlierVersions"`);
    await queryRunner.query(`ALTER TABLE "shift_patterns" DROP COLUMN "effectiveFrom"`);
  }
}
