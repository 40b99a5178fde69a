import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Andon (issue 20): data sources' last contact, heartbeat intervals and the built-in No data code
 * (docs/oee.md "No data"), the reason-prompt threshold (site, machine) and OEE targets (site, group,
 * machine). A site that already exists gets No data here; a new one gets it from db/seed.ts (the
 * migrations run before the seed, on an empty table whose ids the seed fixes).
 */
export class Andon1795595770000 implements MigrationInterface {
  name = 'Andon1795595770000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "data_sources" ("sender" text NOT NULL, "machineId" integer NOT NULL, "lastContactAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_7cba649ece66abbbc9e9713e4d7" PRIMARY KEY ("sender", "machineId"))`,
    );
    await queryRunner.query(`ALTER TABLE "activity_codes" ADD "builtIn" text`);
    await queryRunner.query(`ALTER TABLE "activity_codes" ADD "flag" text`);
    await queryRunner.query(`ALTER TABLE "groups" ADD "oeeTarget" double precision`);
    await queryRunner.query(`ALTER TABLE "machines" ADD "heartbeatSeconds" integer`);
    await queryRunner.query(`ALTER TABLE "machines" ADD "lastContactAt" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "machines" ADD "contactResumedAt" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "machines" ADD "reasonPromptMinutes" integer`);
    await queryRunner.query(`ALTER TABLE "machines" ADD "oeeTarget" double precision`);
    await queryRunner.query(`ALTER TABLE "site_settings" ADD "reasonPromptMinutes" integer NOT NULL DEFAULT '5'`);
    await queryRunner.query(`ALTER TABLE "site_settings" ADD "oeeTarget" double precision NOT NULL DEFAULT '0.85'`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "activity_codes_built_in_unique" ON "activity_codes"  ("builtIn") WHERE "builtIn" IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "activity_codes" ADD CONSTRAINT "activity_codes_flag_valid" CHECK ("flag" IS NULL OR "flag" IN ('no_signal'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "groups" ADD CONSTRAINT "groups_oee_target_fraction" CHECK ("oeeTarget" IS NULL OR ("oeeTarget" > 0 AND "oeeTarget" <= 1))`,
    );
    await queryRunner.query(
      `ALTER TABLE "machines" ADD CONSTRAINT "machines_oee_target_fraction" CHECK ("oeeTarget" IS NULL OR ("oeeTarget" > 0 AND "oeeTarget" <= 1))`,
    );
    await queryRunner.query(
      `ALTER TABLE "machines" ADD CONSTRAINT "machines_reason_prompt_positive" CHECK ("reasonPromptMinutes" IS NULL OR "reasonPromptMinutes" > 0)`,
    );
    await queryRunner.query(
      `ALTER TABLE "machines" ADD CONSTRAINT "machines_heartbeat_positive" CHECK ("heartbeatSeconds" IS NULL OR "heartbeatSeconds" > 0)`,
    );
    await queryRunner.query(
      `ALTER TABLE "data_sources" ADD CONSTRAINT "FK_40e20c2e7dba780df2a7df80f32" FOREIGN KEY ("machineId") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // A site's own code may already be called "No data": the built-in one then takes a longer name.
    await queryRunner.query(
      `INSERT INTO "activity_codes" ("shortDescription", "longDescription", "category", "cause", "colour", "active", "builtIn", "flag")
       SELECT CASE WHEN EXISTS (SELECT 1 FROM "activity_codes" WHERE "shortDescription" = 'No data') THEN 'No data (no signal)' ELSE 'No data' END,
              'The machine sent nothing for longer than its heartbeat interval', 'unplanned_stop', 'other', '#7A7F87', true, 'no_data', 'no_signal'
       WHERE EXISTS (SELECT 1 FROM "site_settings")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "activity_codes" WHERE "builtIn" = 'no_data'`);
    await queryRunner.query(`ALTER TABLE "data_sources" DROP CONSTRAINT "FK_40e20c2e7dba780df2a7df80f32"`);
    await queryRunner.query(`ALTER TABLE "machines" DROP CONSTRAINT "machines_heartbeat_positive"`);
    await queryRunner.query(`ALTER TABLE "machines" DROP CONSTRAINT "machines_reason_prompt_positive"`);
    await queryRunner.query(`ALTER TABLE "machines" DROP CONSTRAINT "machines_oee_target_fraction"`);
    await queryRunner.query(`ALTER TABLE "groups" DROP CONSTRAINT "groups_oee_target_fraction"`);
    await queryRunner.query(`ALTER TABLE "activity_codes" DROP CONSTRAINT "activity_codes_flag_valid"`);
    await queryRunner.query(`DROP INDEX "public"."activity_codes_built_in_unique"`);
    await queryRunner.query(`ALTER TABLE "site_settings" DROP COLUMN "oeeTarget"`);
    await queryRunner.query(`ALTER TABLE "site_settings" DROP COLUMN "reasonPromptMinutes"`);
    await queryRunner.query(`ALTER TABLE "machines" DROP COLUMN "oeeTarget"`);
    await queryRunner.query(`ALTER TABLE "machines" DROP COLUMN "reasonPromptMinutes"`);
    await queryRunner.query(`ALTER TABLE "machines" DROP COLUMN "contactResumedAt"`);
    await queryRunner.query(`ALTER TABLE "machines" DROP COLUMN "lastContactAt"`);
    await queryRunner.query(`ALTER TABLE "machines" DROP COLUMN "heartbeatSeconds"`);
    await queryRunner.query(`ALTER TABLE "groups" DROP COLUMN "oeeTarget"`);
    await queryRunner.query(`ALTER TABLE "activity_codes" DROP COLUMN "flag"`);
    await queryRunner.query(`ALTER TABLE "activity_codes" DROP COLUMN "builtIn"`);
    await queryRunner.query(`DROP TABLE "data_sources"`);
  }
}
