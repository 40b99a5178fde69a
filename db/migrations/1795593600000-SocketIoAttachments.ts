import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Handwritten: the table of @socket.io/postgres-adapter, where a broadcast too large for a NOTIFY
 * payload (8 000 bytes) is parked for the other instances to read; the adapter deletes rows older
 * than 30 s. No entity maps it, so the entity/migration drift check ignores it. `IF NOT EXISTS`: a
 * database that ran the adapter's own set-up script already has it.
 */
export class SocketIoAttachments1795593600000 implements MigrationInterface {
  name = 'SocketIoAttachments1795593600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE IF NOT EXISTS socket_io_attachments (id bigserial UNIQUE, created_at timestamptz DEFAULT NOW(), payload bytea)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS socket_io_attachments`);
  }
}
