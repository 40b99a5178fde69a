import type { MigrationInterface, QueryRunner } from 'typeorm';

/** MQTT (issue 21): the mappings, the last values of cumulative counters, and the subscriber's lease. */
export class MqttMappings1795595850000 implements MigrationInterface {
  name = 'MqttMappings1795595850000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "mqtt_mappings" ("id" SERIAL NOT NULL, "name" text NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "topicFilter" text NOT NULL, "machineId" integer, "machineLevel" integer, "noSignalCodeId" integer, "rules" jsonb NOT NULL, CONSTRAINT "PK_1ae745b71f9117519b0b8f81c7e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "mqtt_mappings_name_unique" ON "mqtt_mappings"  ("name") `);
    await queryRunner.query(
      `CREATE TABLE "mqtt_counters" ("mappingId" integer NOT NULL, "key" text NOT NULL, "value" double precision NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_e658ebe3d099257f5254857f9b9" PRIMARY KEY ("mappingId", "key"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "mqtt_lease" ("name" text NOT NULL, "holder" text NOT NULL, "expiresAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_48e534b681e4987288eaa8f3e46" PRIMARY KEY ("name"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "mqtt_lease"`);
    await queryRunner.query(`DROP TABLE "mqtt_counters"`);
    await queryRunner.query(`DROP INDEX "public"."mqtt_mappings_name_unique"`);
    await queryRunner.query(`DROP TABLE "mqtt_mappings"`);
  }
}
