import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Sessions remember their last use, for the 12-hour idle timeout; existing ones count from now. */
export class SessionLastSeen1795594400000 implements MigrationInterface {
  name = 'SessionLastSeen1795594400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sessions" ADD "lastSeenAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sessions" DROP COLUMN "lastSeenAt"`);
  }
}
