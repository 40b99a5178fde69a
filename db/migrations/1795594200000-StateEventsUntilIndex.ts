import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Finds a machine's latest correction end quickly: the append path compares every new event with it. */
export class StateEventsUntilIndex1795594200000 implements MigrationInterface {
  name = 'StateEventsUntilIndex1795594200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "state_events_machine_until" ON "state_events" ("machineId", "until") WHERE "until" IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."state_events_machine_until"`);
  }
}
