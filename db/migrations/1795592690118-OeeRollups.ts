import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OeeRollups1795592690118 implements MigrationInterface {
  name = 'OeeRollups1795592690118';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "oee_hourly" ("machineId" integer NOT NULL, "hourStart" TIMESTAMP WITH TIME ZONE NOT NULL, "hours" smallint NOT NULL, "calendarSeconds" double precision NOT NULL, "plannedWindowSeconds" double precision NOT NULL, "plannedShutdownSeconds" double precision NOT NULL, "plannedProductionSeconds" double precision NOT NULL, "runSeconds" double precision NOT NULL, "overtimeSeconds" double precision NOT NULL, "unplannedStopSeconds" double precision NOT NULL, "plannedStopSeconds" double precision NOT NULL, "smallStopSeconds" double precision NOT NULL, "ratedRunSeconds" double precision NOT NULL, "idealSeconds" double precision NOT NULL, "fullyProductiveSeconds" double precision NOT NULL, "totalCount" double precision NOT NULL, "goodCount" double precision NOT NULL, "rejectCount" double precision NOT NULL, "unplannedStopCount" integer NOT NULL, CONSTRAINT "PK_7bc358e37b7bf13ccf0360bc7a5" PRIMARY KEY ("machineId", "hourStart", "hours"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "oee_hourly_losses" ("machineId" integer NOT NULL, "hourStart" TIMESTAMP WITH TIME ZONE NOT NULL, "hours" smallint NOT NULL, "activityCodeId" integer NOT NULL, "category" text NOT NULL, "seconds" double precision NOT NULL, "occurrences" integer NOT NULL, CONSTRAINT "PK_879a3d9c94ee62364ad85083505" PRIMARY KEY ("machineId", "hourStart", "hours", "activityCodeId", "category"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "oee_hourly_losses"`);
    await queryRunner.query(`DROP TABLE "oee_hourly"`);
  }
}
