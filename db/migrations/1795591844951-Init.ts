import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795591844951 implements MigrationInterface {
  name = 'Init1795591844951';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Exclusion constraints on (machineId WITH =, range WITH &&) need btree_gist's integer operators.
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await queryRunner.query(
      `CREATE TABLE "activity_codes" ("id" SERIAL NOT NULL, "shortDescription" text NOT NULL, "longDescription" text NOT NULL DEFAULT '', "category" text NOT NULL, "colour" text NOT NULL, "active" boolean NOT NULL DEFAULT true, CONSTRAINT "activity_codes_colour_valid" CHECK ("colour" ~ '^#[0-9A-Fa-f]{6}$'), CONSTRAINT "activity_codes_category_valid" CHECK ("category" IN ('running','unplanned_stop','planned_stop','planned_shutdown')), CONSTRAINT "PK_d3ca3225794488a6bffc245c86f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "activity_codes_short_description_unique" ON "activity_codes"  ("shortDescription") `);
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" SERIAL NOT NULL, "name" text NOT NULL, "role" text NOT NULL, "keyHash" text NOT NULL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "api_keys_role_valid" CHECK ("role" IN ('admin','supervisor','operator','viewer','device')), CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "api_keys_name_unique" ON "api_keys"  ("name") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "api_keys_key_hash_unique" ON "api_keys"  ("keyHash") `);
    await queryRunner.query(
      `CREATE TABLE "audit_log" ("id" BIGSERIAL NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "userId" integer, "apiKeyId" integer, "action" text NOT NULL, "entity" text NOT NULL, "entityId" text, "machineId" integer, "before" jsonb, "after" jsonb, "note" text, CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "audit_log_machine_at" ON "audit_log"  ("machineId", "at") `);
    await queryRunner.query(`CREATE INDEX "audit_log_at" ON "audit_log"  ("at") `);
    await queryRunner.query(
      `CREATE TABLE "groups" ("id" SERIAL NOT NULL, "name" text NOT NULL, CONSTRAINT "PK_659d1483316afb28afd3a90646e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "groups_name_unique" ON "groups"  ("name") `);
    await queryRunner.query(
      `CREATE TABLE "influx_outbox" ("id" BIGSERIAL NOT NULL, "machineId" integer NOT NULL, "measurement" text NOT NULL, "tags" jsonb NOT NULL, "fields" jsonb NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deliveredAt" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_c8f3026b05c41de4fb047c99e04" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "influx_outbox_pending" ON "influx_outbox"  ("id") WHERE "deliveredAt" IS NULL`);
    await queryRunner.query(
      `CREATE TABLE "shift_patterns" ("id" SERIAL NOT NULL, "name" text NOT NULL, "shifts" jsonb NOT NULL DEFAULT '[]', "exceptions" jsonb NOT NULL DEFAULT '[]', CONSTRAINT "PK_9889aed63041895165dc3b2abdc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "shift_patterns_name_unique" ON "shift_patterns"  ("name") `);
    await queryRunner.query(
      `CREATE TABLE "machines" ("id" SERIAL NOT NULL, "name" text NOT NULL, "groupId" integer, "shiftPatternId" integer, "workflowType" text NOT NULL DEFAULT 'default', "jobStartInputType" text NOT NULL DEFAULT 'cycle_time_seconds', "jobNumberInputType" text NOT NULL DEFAULT 'text', "jobStartActivityCodeId" integer NOT NULL DEFAULT '1', "endJobOnShiftEnd" boolean NOT NULL DEFAULT true, "excludedActivityCodeIds" integer array NOT NULL DEFAULT '{}', "active" boolean NOT NULL DEFAULT true, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "machines_job_number_input_type_valid" CHECK ("jobNumberInputType" IN ('text','number')), CONSTRAINT "machines_workflow_type_valid" CHECK ("workflowType" IN ('default','pausable','running_total')), CONSTRAINT "PK_7b0817c674bb984650c5274e713" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "machines_name_unique" ON "machines"  ("name") `);
    await queryRunner.query(`CREATE INDEX "machines_group_id" ON "machines"  ("groupId") `);
    await queryRunner.query(
      `CREATE TABLE "jobs" ("id" SERIAL NOT NULL, "machineId" integer NOT NULL, "jobNumber" text NOT NULL, "start" TIMESTAMP WITH TIME ZONE NOT NULL, "end" TIMESTAMP WITH TIME ZONE, "idealCycleTimeSeconds" double precision, "operatorId" integer, "notes" text NOT NULL DEFAULT '', CONSTRAINT "jobs_ideal_cycle_time_positive" CHECK ("idealCycleTimeSeconds" IS NULL OR "idealCycleTimeSeconds" > 0), CONSTRAINT "jobs_end_after_start" CHECK ("end" IS NULL OR "end" >= "start"), CONSTRAINT "jobs_no_overlap" EXCLUDE USING gist ("machineId" WITH =, tstzrange("start", "end") WITH &&), CONSTRAINT "PK_cf0a6c42b72fcc7f7c237def345" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "jobs_machine_start" ON "jobs"  ("machineId", "start") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "jobs_one_running_per_machine" ON "jobs"  ("machineId") WHERE "end" IS NULL`);
    await queryRunner.query(
      `CREATE TABLE "kiosk_tokens" ("id" SERIAL NOT NULL, "name" text NOT NULL, "groupId" integer, "tokenHash" text NOT NULL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_eadd8974948b06fa520861a4ad6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "kiosk_tokens_name_unique" ON "kiosk_tokens"  ("name") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "kiosk_tokens_token_hash_unique" ON "kiosk_tokens"  ("tokenHash") `);
    await queryRunner.query(
      `CREATE TABLE "production_records" ("id" BIGSERIAL NOT NULL, "machineId" integer NOT NULL, "jobId" integer, "from" TIMESTAMP WITH TIME ZONE NOT NULL, "to" TIMESTAMP WITH TIME ZONE NOT NULL, "good" integer NOT NULL, "rejects" integer NOT NULL, "eventId" text, "source" text NOT NULL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "production_records_counts" CHECK ("good" >= 0 AND "rejects" >= 0), CONSTRAINT "production_records_span" CHECK ("to" >= "from"), CONSTRAINT "PK_38d4f7e2c6b6ca67d35dd934cee" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "production_records_job" ON "production_records"  ("jobId") `);
    await queryRunner.query(`CREATE INDEX "production_records_machine_from" ON "production_records"  ("machineId", "from") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "production_records_machine_event_id_unique" ON "production_records"  ("machineId", "eventId") WHERE "eventId" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "users" ("id" SERIAL NOT NULL, "username" text NOT NULL, "passwordHash" text, "role" text NOT NULL, "pinHash" text, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deletedAt" TIMESTAMP WITH TIME ZONE, CONSTRAINT "users_role_valid" CHECK ("role" IN ('admin','supervisor','operator','viewer','device')), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "users_username_unique" ON "users"  ("username") WHERE "deletedAt" IS NULL`);
    await queryRunner.query(
      `CREATE TABLE "sessions" ("id" SERIAL NOT NULL, "tokenHash" text NOT NULL, "userId" integer NOT NULL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expiresAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_3238ef96f18b355b671619111bc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "sessions_token_hash_unique" ON "sessions"  ("tokenHash") `);
    await queryRunner.query(`CREATE INDEX "sessions_expires_at" ON "sessions"  ("expiresAt") `);
    await queryRunner.query(
      `CREATE TABLE "site_settings" ("id" integer NOT NULL, "timezone" text NOT NULL, "microStopSeconds" integer NOT NULL DEFAULT '0', "autoPairTablets" boolean NOT NULL DEFAULT false, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "site_settings_single_row" CHECK ("id" = 1), CONSTRAINT "PK_e4290e8371a166d7e066d131f6e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "state_events" ("id" BIGSERIAL NOT NULL, "machineId" integer NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "until" TIMESTAMP WITH TIME ZONE, "activityCodeId" integer NOT NULL, "source" text NOT NULL, "operatorId" integer, "eventId" text, "receivedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_083cd48bb48862cc946952c5e0c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "state_events_machine_at" ON "state_events"  ("machineId", "at", "id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "state_events_machine_event_id_unique" ON "state_events"  ("machineId", "eventId") WHERE "eventId" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "tablets" ("id" SERIAL NOT NULL, "name" text NOT NULL, "machineId" integer, "tokenHash" text, "deviceUuid" text, "operatorId" integer, "operatorSince" TIMESTAMP WITH TIME ZONE, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_84af8e6da5f560838f5b1cc6bcc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "tablets_name_unique" ON "tablets"  ("name") `);
    await queryRunner.query(`CREATE INDEX "tablets_machine_id" ON "tablets"  ("machineId") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "tablets_token_hash_unique" ON "tablets"  ("tokenHash") WHERE "tokenHash" IS NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "tablets_device_uuid_unique" ON "tablets"  ("deviceUuid") WHERE "deviceUuid" IS NOT NULL`);
    await queryRunner.query(
      `CREATE TABLE "timeline_intervals" ("id" BIGSERIAL NOT NULL, "machineId" integer NOT NULL, "start" TIMESTAMP WITH TIME ZONE NOT NULL, "end" TIMESTAMP WITH TIME ZONE, "activityCodeId" integer NOT NULL, "jobId" integer, "operatorId" integer, CONSTRAINT "timeline_intervals_end_after_start" CHECK ("end" IS NULL OR "end" > "start"), CONSTRAINT "timeline_intervals_no_overlap" EXCLUDE USING gist ("machineId" WITH =, tstzrange("start", "end") WITH &&), CONSTRAINT "PK_67ae14777b2cf94cac816717e37" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "timeline_intervals_one_open_per_machine" ON "timeline_intervals"  ("machineId") WHERE "end" IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX "timeline_intervals_machine_start" ON "timeline_intervals"  ("machineId", "start") `);
    await queryRunner.query(
      `ALTER TABLE "machines" ADD CONSTRAINT "FK_651cd472456ec14b1c6bbec14b8" FOREIGN KEY ("groupId") REFERENCES "groups"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "machines" ADD CONSTRAINT "FK_825338bd42866f5b23eed80877e" FOREIGN KEY ("shiftPatternId") REFERENCES "shift_patterns"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "machines" ADD CONSTRAINT "FK_1b26e6d675164796c7b0c412a52" FOREIGN KEY ("jobStartActivityCodeId") REFERENCES "activity_codes"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "jobs" ADD CONSTRAINT "FK_79f932c98cf6021e3f5775f0ed9" FOREIGN KEY ("machineId") REFERENCES "machines"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "kiosk_tokens" ADD CONSTRAINT "FK_84500ca8dbc11a04430673dbae8" FOREIGN KEY ("groupId") REFERENCES "groups"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "production_records" ADD CONSTRAINT "FK_10ed0b4d040c8fe3e52da8b973a" FOREIGN KEY ("machineId") REFERENCES "machines"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sessions" ADD CONSTRAINT "FK_57de40bc620f456c7311aa3a1e6" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "state_events" ADD CONSTRAINT "FK_bf69130d6bcc9a049c704161892" FOREIGN KEY ("machineId") REFERENCES "machines"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "state_events" ADD CONSTRAINT "FK_a7a0b9bafa1dca42d96abbc7df3" FOREIGN KEY ("activityCodeId") REFERENCES "activity_codes"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tablets" ADD CONSTRAINT "FK_016a42097e3d9a93c6bbeb83ea2" FOREIGN KEY ("machineId") REFERENCES "machines"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tablets" ADD CONSTRAINT "FK_119749a1df4f13088061de0be79" FOREIGN KEY ("operatorId") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tablets" DROP CONSTRAINT "FK_119749a1df4f13088061de0be79"`);
    await queryRunner.query(`ALTER TABLE "tablets" DROP CONSTRAINT "FK_016a42097e3d9a93c6bbeb83ea2"`);
    await queryRunner.query(`ALTER TABLE "state_events" DROP CONSTRAINT "FK_a7a0b9bafa1dca42d96abbc7df3"`);
    await queryRunner.query(`ALTER TABLE "state_events" DROP CONSTRAINT "FK_bf69130d6bcc9a049c704161892"`);
    await queryRunner.query(`ALTER TABLE "sessions" DROP CONSTRAINT "FK_57de40bc620f456c7311aa3a1e6"`);
    await queryRunner.query(`ALTER TABLE "production_records" DROP CONSTRAINT "FK_10ed0b4d040c8fe3e52da8b973a"`);
    await queryRunner.query(`ALTER TABLE "kiosk_tokens" DROP CONSTRAINT "FK_84500ca8dbc11a04430673dbae8"`);
    await queryRunner.query(`ALTER TABLE "jobs" DROP CONSTRAINT "FK_79f932c98cf6021e3f5775f0ed9"`);
    await queryRunner.query(`ALTER TABLE "machines" DROP CONSTRAINT "FK_1b26e6d675164796c7b0c412a52"`);
    await queryRunner.query(`ALTER TABLE "machines" DROP CONSTRAINT "FK_825338bd42866f5b23eed80877e"`);
    await queryRunner.query(`ALTER TABLE "machines" DROP CONSTRAINT "FK_651cd472456ec14b1c6bbec14b8"`);
    await queryRunner.query(`DROP INDEX "public"."timeline_intervals_machine_start"`);
    await queryRunner.query(`DROP INDEX "public"."timeline_intervals_one_open_per_machine"`);
    await queryRunner.query(`DROP TABLE "timeline_intervals"`);
    await queryRunner.query(`DROP INDEX "public"."tablets_device_uuid_unique"`);
    await queryRunner.query(`DROP INDEX "public"."tablets_token_hash_unique"`);
    await queryRunner.query(`DROP INDEX "public"."tablets_machine_id"`);
    await queryRunner.query(`DROP INDEX "public"."tablets_name_unique"`);
    await queryRunner.query(`DROP TABLE "tablets"`);
    await queryRunner.query(`DROP INDEX "public"."state_events_machine_event_id_unique"`);
    await queryRunner.query(`DROP INDEX "public"."state_events_machine_at"`);
    await queryRunner.query(`DROP TABLE "state_events"`);
    await queryRunner.query(`DROP TABLE "site_settings"`);
    await queryRunner.query(`DROP INDEX "public"."sessions_expires_at"`);
    await queryRunner.query(`DROP INDEX "public"."sessions_token_hash_unique"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
    await queryRunner.query(`DROP INDEX "public"."users_username_unique"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP INDEX "public"."production_records_machine_event_id_unique"`);
    await queryRunner.query(`DROP INDEX "public"."production_records_machine_from"`);
    await queryRunner.query(`DROP INDEX "public"."production_records_job"`);
    await queryRunner.query(`DROP TABLE "production_records"`);
    await queryRunner.query(`DROP INDEX "public"."kiosk_tokens_token_hash_unique"`);
    await queryRunner.query(`DROP INDEX "public"."kiosk_tokens_name_unique"`);
    await queryRunner.query(`DROP TABLE "kiosk_tokens"`);
    await queryRunner.query(`DROP INDEX "public"."jobs_one_running_per_machine"`);
    await queryRunner.query(`DROP INDEX "public"."jobs_machine_start"`);
    await queryRunner.query(`DROP TABLE "jobs"`);
    await queryRunner.query(`DROP INDEX "public"."machines_group_id"`);
    await queryRunner.query(`DROP INDEX "public"."machines_name_unique"`);
    await queryRunner.query(`DROP TABLE "machines"`);
    await queryRunner.query(`DROP INDEX "public"."shift_patterns_name_unique"`);
    await queryRunner.query(`DROP TABLE "shift_patterns"`);
    await queryRunner.query(`DROP INDEX "public"."influx_outbox_pending"`);
    await queryRunner.query(`DROP TABLE "influx_outbox"`);
    await queryRunner.query(`DROP INDEX "public"."groups_name_unique"`);
    await queryRunner.query(`DROP TABLE "groups"`);
    await queryRunner.query(`DROP INDEX "public"."audit_log_at"`);
    await queryRunner.query(`DROP INDEX "public"."audit_log_machine_at"`);
    await queryRunner.query(`DROP TABLE "audit_log"`);
    await queryRunner.query(`DROP INDEX "public"."api_keys_key_hash_unique"`);
    await queryRunner.query(`DROP INDEX "public"."api_keys_name_unique"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`DROP INDEX "public"."activity_codes_short_description_unique"`);
    await queryRunner.query(`DROP TABLE "activity_codes"`);
  }
}
