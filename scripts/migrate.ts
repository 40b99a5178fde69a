/** `npm run db:migrate`: applies pending migrations (the app also does this at every start). */
import { pino } from 'pino';
import { createDataSource } from '../db/data-source.js';
import { startEmbeddedPostgres } from '../db/embedded-postgres.js';
import { migrate } from '../db/migrate.js';
import { loadEnv } from '../env.js';

const env = loadEnv();
const logger = pino({ level: env.LOG_LEVEL });
const embedded = env.DATABASE_URL ? null : await startEmbeddedPostgres(env.OEE_DATA_DIR, logger);
const dataSource = createDataSource({ url: env.DATABASE_URL ?? embedded!.url });
try {
  await dataSource.initialize();
  const ran = await migrate(dataSource);
  console.log(ran.length ? `Applied: ${ran.join(', ')}` : 'Nothing to apply.');
} finally {
  await dataSource.destroy();
  await embedded?.stop();
}
