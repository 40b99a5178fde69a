import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The production records overlapping a range, found without reading every earlier record of the machine
 * (docs/oee.md "How the raw history is read"): a GiST index on each record's closed span [from, to], so a
 * point record (from = to) is found too. The OEE history query asks it for the records touching a load window.
 */
export class ProductionRecordSpans1795595880000 implements MigrationInterface {
  name = 'ProductionRecordSpans1795595880000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "production_records_machine_span" ON "production_records" USING gist ("machineId", tstzrange("from", "to", '[]'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "public"."production_records_machine_span"`);
  }
}
