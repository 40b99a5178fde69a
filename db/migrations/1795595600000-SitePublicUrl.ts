import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The site's public address for pairing links and QR codes (issue 18); null keeps the admin browser's address. */
export class SitePublicUrl1795595600000 implements MigrationInterface {
  name = 'SitePublicUrl1795595600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "site_settings" ADD "publicUrl" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "site_settings" DROP COLUMN "publicUrl"`);
  }
}
