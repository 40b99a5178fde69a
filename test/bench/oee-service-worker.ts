/**
 * Times OeeService.machineOee without HTTP, in a process of the checkout under test (cwd = its root; its
 * own modules, imported by path, so a comparison times each side's code). argv[2]: JSON
 * { root, databaseUrl, requests: [{ machineId, from, to }] } (ms epochs); sends { ms: number[] } or { error }.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const { root, databaseUrl, requests } = JSON.parse(process.argv[2]!) as {
  root: string;
  databaseUrl: string;
  requests: { machineId: number; from: number; to: number }[];
};
const load = (path: string) => import(pathToFileURL(join(root, path)).href);

try {
  const { createDataSource } = await load('db/data-source.ts');
  const { createRepositories } = await load('db/repositories/index.ts');
  const { OeeService } = await load('services/oee/oee.service.ts');
  const { systemClock } = await load('core/clock.ts');
  const { pino } = await import('pino');
  const ds = createDataSource({ url: databaseUrl, poolSize: 4 });
  await ds.initialize();
  const service = new OeeService(createRepositories(ds), systemClock, pino({ level: 'silent' }));
  // A few calls first: connections and the planner's caches, as a running server has them.
  for (const r of requests.slice(0, 5)) await service.machineOee(r.machineId, new Date(r.from), new Date(r.to));
  const ms: number[] = [];
  for (const r of requests) {
    const started = performance.now();
    await service.machineOee(r.machineId, new Date(r.from), new Date(r.to));
    ms.push(performance.now() - started);
  }
  await ds.destroy();
  process.send!({ ms }, () => process.disconnect());
} catch (err) {
  process.send!({ error: String((err as Error).stack ?? err) }, () => process.disconnect());
}
