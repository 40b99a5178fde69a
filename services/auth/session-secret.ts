import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** The session secret is generated once and kept in the data directory when not configured. */
export async function sessionSecretFromDataDir(dataDir: string): Promise<string> {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('hex');
  await writeFile(file, secret + '\n', { mode: 0o600, flag: 'wx' }).catch(() => undefined);
  return readFileSync(file, 'utf8').trim();
}
