import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuthAttempts1795594500000 implements MigrationInterface {
  name = 'AuthAttempts1795594500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "auth_attempts" ("kind" text NOT NULL, "subject" text NOT NULL, "address" text NOT NULL, "count" integer NOT NULL, "windowStart" TIMESTAMP WITH TIME ZONE NOT NULL, "refused" boolean NOT NULL DEFAULT false, "blockedUntil" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_auth_attempts" PRIMARY KEY ("kind", "subject", "address"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "auth_attempts"`);
  }
}
