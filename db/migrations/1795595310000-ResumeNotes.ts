import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Resume notes on the timeline (issue 17): see db/entities/resume-note.entity.ts. */
export class ResumeNotes1795595310000 implements MigrationInterface {
  name = 'ResumeNotes1795595310000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "resume_notes" ("id" SERIAL NOT NULL, "jobId" integer NOT NULL, "machineId" integer NOT NULL, "pausedAt" TIMESTAMP WITH TIME ZONE NOT NULL, "resumedAt" TIMESTAMP WITH TIME ZONE NOT NULL, "activityCodeId" integer NOT NULL, "notes" text NOT NULL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "resume_notes_resumed_after_paused" CHECK ("resumedAt" >= "pausedAt"), CONSTRAINT "PK_c4d3280a903a8f81509489bf86f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "resume_notes_job" ON "resume_notes"  ("jobId") `);
    await queryRunner.query(`CREATE INDEX "resume_notes_machine_paused" ON "resume_notes"  ("machineId", "pausedAt") `);
    await queryRunner.query(
      `ALTER TABLE "resume_notes" ADD CONSTRAINT "FK_4d1fc5923e0e86d51d06e09f2fe" FOREIGN KEY ("jobId") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "resume_notes" ADD CONSTRAINT "FK_e2bc49452ba95370f4a4ab95e60" FOREIGN KEY ("machineId") REFERENCES "machines"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "resume_notes" ADD CONSTRAINT "FK_b7134ffc06ba0f421882d96489b" FOREIGN KEY ("activityCodeId") REFERENCES "activity_codes"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "resume_notes" DROP CONSTRAINT "FK_b7134ffc06ba0f421882d96489b"`);
    await queryRunner.query(`ALTER TABLE "resume_notes" DROP CONSTRAINT "FK_e2bc49452ba95370f4a4ab95e60"`);
    await queryRunner.query(`ALTER TABLE "resume_notes" DROP CONSTRAINT "FK_4d1fc5923e0e86d51d06e09f2fe"`);
    await queryRunner.query(`DROP INDEX "public"."resume_notes_machine_paused"`);
    await queryRunner.query(`DROP INDEX "public"."resume_notes_job"`);
    await queryRunner.query(`DROP TABLE "resume_notes"`);
  }
}
