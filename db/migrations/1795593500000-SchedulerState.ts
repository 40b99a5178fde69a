import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SchedulerState1795593500000 implements MigrationInterface {
  name = 'SchedulerState1795593500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "scheduler_state" ("key" text NOT NULL, "value" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_scheduler_state_key" PRIMARY KEY ("key"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "scheduler_state"`);
  }
}
