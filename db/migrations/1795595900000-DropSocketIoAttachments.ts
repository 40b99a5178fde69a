import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Handwritten: Socket.IO no longer uses @socket.io/postgres-adapter (the /live relay is an event on the
 * cluster channel, docs/instances-and-rules.md), so the table where the adapter parked large broadcasts
 * goes. `down` recreates it as 1795593600000 did.
 */
export class DropSocketIoAttachments1795595900000 implements MigrationInterface {
  name = 'DropSocketIoAttachments1795595900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS socket_io_attachments`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE IF NOT EXISTS socket_io_attachments (id bigserial UNIQUE, created_at timestamptz DEFAULT NOW(), payload bytea)`,
    );
  }
}
