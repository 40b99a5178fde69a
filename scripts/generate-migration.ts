/**
 * `npm run db:migration:generate -- PascalName`: migrates a scratch database (embedded, or
 * DATABASE_URL), asks TypeORM what the entities need beyond the migrations, and writes that as
 * `db/migrations/<timestamp>-PascalName.ts` for review.
 */
import { systemClock } from '../core/clock.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { createDataSource } from '../db/data-source.js';
import { startEmbeddedPostgres } from '../db/embedded-postgres.js';
import { migrate } from '../db/migrate.js';
import { loadEnv } from '../env.js';

const name = process.argv[2];
if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
  console.error('usage: npm run db:migration:generate -- PascalName');
  process.exit(2);
}

const env = loadEnv();
const logger = pino({ level: 'warn' });
const embedded = env.DATABASE_URL ? null : await startEmbeddedPostgres(join(env.OEE_DATA_DIR, 'migration-scratch'), logger);
const dataSource = createDataSource({ url: env.DATABASE_URL ?? embedded!.url });
try {
  await dataSource.initialize();
  await migrate(dataSource);
  const sql = await dataSource.driver.createSchemaBuilder().log();
  if (sql.upQueries.length === 0) {
    console.log('No changes: entities and migrations agree.');
  } else {
    const timestamp = systemClock.now().getTime();
    const className = `${name}${timestamp}`;
    const quote = (q: string) => '`' + q.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
    const up = sql.upQueries.map((q) => `    await queryRunner.query(${quote(q.query)});`).join('\n');
    const down = [...sql.downQueries]
      .reverse()
      .map((q) => `    await queryRunner.query(${quote(q.query)});`)
      .join('\n');
    const file = join('db', 'migrations', `${timestamp}-${name}.ts`);
    await writeFile(
      file,
      `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${up}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${down}
  }
}
`,
    );
    console.log(`Wrote ${file}: review it and add ${className} to db/migrations/index.ts`);
  }
} finally {
  await dataSource.destroy();
  await embedded?.stop();
}
