import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Andon (issue 20): alert rules, webhooks, alerts, their deliveries, shift-report subscribers and reports (docs/alerts.md). */
export class Andon1795595810000 implements MigrationInterface {
  name = 'Andon1795595810000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "alert_rules" ("id" SERIAL NOT NULL, "name" text NOT NULL, "kind" text NOT NULL, "machineId" integer, "groupId" integer, "categories" text array NOT NULL, "activityCodeIds" integer array NOT NULL DEFAULT '{}', "oeeTarget" double precision, "levels" jsonb NOT NULL, "wall" boolean NOT NULL DEFAULT true, "enabled" boolean NOT NULL DEFAULT true, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ae580564f087ffab9d229225aec" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "alert_rules_name" ON "alert_rules"  ("name") `);
    await queryRunner.query(
      `CREATE TABLE "alerts" ("id" SERIAL NOT NULL, "ruleId" integer NOT NULL, "machineId" integer NOT NULL, "activityCodeId" integer, "stopStart" TIMESTAMP WITH TIME ZONE NOT NULL, "detectedAt" TIMESTAMP WITH TIME ZONE NOT NULL, "level" integer NOT NULL, "acknowledgedAt" TIMESTAMP WITH TIME ZONE, "acknowledgedBy" text, "resolvedAt" TIMESTAMP WITH TIME ZONE, "resolvedBy" text, "note" text, CONSTRAINT "PK_60f895662df096bfcdfab7f4b96" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "alerts_machine_stop" ON "alerts"  ("machineId", "stopStart") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "alerts_rule_stop" ON "alerts"  ("ruleId", "machineId", "stopStart") `);
    await queryRunner.query(
      `CREATE TABLE "alert_deliveries" ("id" SERIAL NOT NULL, "alertId" integer NOT NULL, "level" integer NOT NULL, "channel" text NOT NULL, "target" text NOT NULL, "payload" jsonb NOT NULL, "status" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "nextAttemptAt" TIMESTAMP WITH TIME ZONE, "lastAttemptAt" TIMESTAMP WITH TIME ZONE, "responseStatus" integer, "lastError" text, "deliveredAt" TIMESTAMP WITH TIME ZONE, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b3d51c95891264fb62df41582ad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "alert_deliveries_due" ON "alert_deliveries"  ("status", "nextAttemptAt") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "alert_deliveries_target" ON "alert_deliveries"  ("alertId", "level", "channel", "target") `,
    );
    await queryRunner.query(
      `CREATE TABLE "report_subscriptions" ("id" SERIAL NOT NULL, "groupId" integer NOT NULL, "email" text NOT NULL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_945d832ffd394d105d169eb47e3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "report_subscriptions_group_email" ON "report_subscriptions"  ("groupId", "email") `);
    await queryRunner.query(
      `CREATE TABLE "shift_reports" ("id" SERIAL NOT NULL, "groupId" integer NOT NULL, "shiftStart" TIMESTAMP WITH TIME ZONE NOT NULL, "shiftEnd" TIMESTAMP WITH TIME ZONE NOT NULL, "shiftName" text, "status" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "nextAttemptAt" TIMESTAMP WITH TIME ZONE NOT NULL, "lastError" text, "sentAt" TIMESTAMP WITH TIME ZONE, "recipients" text array NOT NULL DEFAULT '{}', "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_808f8755e3b47b0c9327f750205" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "shift_reports_due" ON "shift_reports"  ("status", "nextAttemptAt") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "shift_reports_group_shift" ON "shift_reports"  ("groupId", "shiftStart") `);
    await queryRunner.query(
      `CREATE TABLE "webhooks" ("id" SERIAL NOT NULL, "name" text NOT NULL, "url" text NOT NULL, "secret" text NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9e8795cfc899ab7bdaa831e8527" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "webhooks_name" ON "webhooks"  ("name") `);
    await queryRunner.query(
      `ALTER TABLE "alert_rules" ADD CONSTRAINT "FK_cb61d314ed642252503474b1a28" FOREIGN KEY ("machineId") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "alert_rules" ADD CONSTRAINT "FK_ff4ead93c210e6702b35605331c" FOREIGN KEY ("groupId") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "alerts" ADD CONSTRAINT "FK_ef1e576efeb7e09651a740f3287" FOREIGN KEY ("ruleId") REFERENCES "alert_rules"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "alerts" ADD CONSTRAINT "FK_6c0b2620f57d527c4863b7dd006" FOREIGN KEY ("machineId") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "alert_deliveries" ADD CONSTRAINT "FK_0e1a6518faaf84087ad7ce73579" FOREIGN KEY ("alertId") REFERENCES "alerts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "report_subscriptions" ADD CONSTRAINT "FK_4738f2d4bc624cfd17c59d724e4" FOREIGN KEY ("groupId") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "shift_reports" ADD CONSTRAINT "FK_28c7bc7f97270da36ef90272a4c" FOREIGN KEY ("groupId") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "shift_reports" DROP CONSTRAINT "FK_28c7bc7f97270da36ef90272a4c"`);
    await queryRunner.query(`ALTER TABLE "report_subscriptions" DROP CONSTRAINT "FK_4738f2d4bc624cfd17c59d724e4"`);
    await queryRunner.query(`ALTER TABLE "alert_deliveries" DROP CONSTRAINT "FK_0e1a6518faaf84087ad7ce73579"`);
    await queryRunner.query(`ALTER TABLE "alerts" DROP CONSTRAINT "FK_6c0b2620f57d527c4863b7dd006"`);
    await queryRunner.query(`ALTER TABLE "alerts" DROP CONSTRAINT "FK_ef1e576efeb7e09651a740f3287"`);
    await queryRunner.query(`ALTER TABLE "alert_rules" DROP CONSTRAINT "FK_ff4ead93c210e6702b35605331c"`);
    await queryRunner.query(`ALTER TABLE "alert_rules" DROP CONSTRAINT "FK_cb61d314ed642252503474b1a28"`);
    await queryRunner.query(`DROP INDEX "public"."webhooks_name"`);
    await queryRunner.query(`DROP TABLE "webhooks"`);
    await queryRunner.query(`DROP INDEX "public"."shift_reports_group_shift"`);
    await queryRunner.query(`DROP INDEX "public"."shift_reports_due"`);
    await queryRunner.query(`DROP TABLE "shift_reports"`);
    await queryRunner.query(`DROP INDEX "public"."report_subscriptions_group_email"`);
    await queryRunner.query(`DROP TABLE "report_subscriptions"`);
    await queryRunner.query(`DROP INDEX "public"."alert_deliveries_target"`);
    await queryRunner.query(`DROP INDEX "public"."alert_deliveries_due"`);
    await queryRunner.query(`DROP TABLE "alert_deliveries"`);
    await queryRunner.query(`DROP INDEX "public"."alerts_rule_stop"`);
    await queryRunner.query(`DROP INDEX "public"."alerts_machine_stop"`);
    await queryRunner.query(`DROP TABLE "alerts"`);
    await queryRunner.query(`DROP INDEX "public"."alert_rules_name"`);
    await queryRunner.query(`DROP TABLE "alert_rules"`);
  }
}
