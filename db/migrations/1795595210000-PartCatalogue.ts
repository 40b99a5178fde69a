import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The part catalogue (db/entities/part.entity.ts, docs/api.md "Part catalogue"). */
export class PartCatalogue1795595210000 implements MigrationInterface {
  name = 'PartCatalogue1795595210000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "parts" ("id" SERIAL NOT NULL, "partNumber" text NOT NULL, "name" text NOT NULL DEFAULT '', "idealCycleTimeSeconds" double precision NOT NULL, "machineId" integer, "groupId" integer, CONSTRAINT "parts_ideal_cycle_time_positive" CHECK ("idealCycleTimeSeconds" > 0), CONSTRAINT "parts_one_scope" CHECK ("machineId" IS NULL OR "groupId" IS NULL), CONSTRAINT "PK_daa5595bb8933f49ac00c9ebc79" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "parts_number_group_unique" ON "parts"  ("partNumber", "groupId") WHERE "groupId" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "parts_number_machine_unique" ON "parts"  ("partNumber", "machineId") WHERE "machineId" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "parts_number_all_unique" ON "parts"  ("partNumber") WHERE "machineId" IS NULL AND "groupId" IS NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "parts" ADD CONSTRAINT "FK_422617305bc45ca369ddcc5bc43" FOREIGN KEY ("machineId") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "parts" ADD CONSTRAINT "FK_70d80b1c46b421bff5de2c8b437" FOREIGN KEY ("groupId") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "parts" DROP CONSTRAINT "FK_70d80b1c46b421bff5de2c8b437"`);
    await queryRunner.query(`ALTER TABLE "parts" DROP CONSTRAINT "FK_422617305bc45ca369ddcc5bc43"`);
    await queryRunner.query(`DROP INDEX "public"."parts_number_all_unique"`);
    await queryRunner.query(`DROP INDEX "public"."parts_number_machine_unique"`);
    await queryRunner.query(`DROP INDEX "public"."parts_number_group_unique"`);
    await queryRunner.query(`DROP TABLE "parts"`);
  }
}
