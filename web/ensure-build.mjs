// Builds the SvelteKit app when web/build is missing or older than its sources, so `npm start`
// and `npm test` always serve the current pages without a separate build step.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = dirname(fileURLToPath(import.meta.url));
const root = join(web, '..');
const output = join(web, 'build', 'handler.js');

function newest(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

const sources = [join(web, 'src'), join(web, 'static'), join(web, 'svelte.config.js'), join(web, 'vite.config.ts'), join(root, 'core')];
const stale = !existsSync(output) || sources.some((s) => existsSync(s) && newest(s) > statSync(output).mtimeMs);
if (stale) {
  console.log('Building the web app (web/build)…');
  execSync('npm run build --silent', { cwd: root, stdio: 'inherit' });
}
