import type { MigrationInterface, QueryRunner } from 'typeorm';

export class EventSenders1795594600000 implements MigrationInterface {
  name = 'EventSenders1795594600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "state_events" ADD "sender" text`);
    await queryRunner.query(`ALTER TABLE "production_records" ADD "sender" text`);
    await queryRunner.query(`ALTER TABLE "site_settings" ADD "liveWindowDays" integer NOT NULL DEFAULT '31'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "site_settings" DROP COLUMN "liveWindowDays"`);
    await queryRunner.query(`ALTER TABLE "production_records" DROP COLUMN "sender"`);
    await queryRunner.query(`ALTER TABLE "state_events" DROP COLUMN "sender"`);
  }
}
