/**
 * `npm run simulate -- --machines 20 --via http|mqtt`: realistic machines for demos, benches and tests
 * (docs/mqtt.md "Simulator"): they run in cycles making parts (a few rejects), stop with reasons (breakdown,
 * no material, setup) and micro-stop. Set-up (machines Sim-01…, the reason codes, a job each, and via MQTT the
 * mapping `Simulator` on `oee-sim/+/data`) goes through the admin API.
 *
 *   --url http://127.0.0.1:3000   the app           --user admin --password …   an admin
 *   --mqtt-url mqtt://…           the broker (via mqtt)
 *   --seed 1  --tick 1000 (ms)  --backfill-hours 0  --ticks N (stop after N ticks)
 */
import { parseArgs } from 'node:util';
import { runSimulator } from './simulator/run.js';

const { values } = parseArgs({
  options: {
    machines: { type: 'string', default: '20' },
    via: { type: 'string', default: 'http' },
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
    user: { type: 'string', default: 'admin' },
    password: { type: 'string' },
    'mqtt-url': { type: 'string' },
    seed: { type: 'string', default: '1' },
    tick: { type: 'string', default: '1000' },
    'backfill-hours': { type: 'string', default: '0' },
    ticks: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help || !values.password || (values.via !== 'http' && values.via !== 'mqtt')) {
  console.error('usage: npm run simulate -- --password <admin password> [--machines 20] [--via http|mqtt] [--mqtt-url mqtt://…]');
  console.error('       [--url http://127.0.0.1:3000] [--user admin] [--seed 1] [--tick 1000] [--backfill-hours 0] [--ticks N]');
  process.exit(values.help ? 0 : 2);
}

const started = performance.now();
const { sent } = await runSimulator({
  url: values.url,
  username: values.user,
  password: values.password,
  machines: Number(values.machines),
  via: values.via,
  ...(values['mqtt-url'] ? { mqttUrl: values['mqtt-url'] } : {}),
  seed: Number(values.seed),
  tickMs: Number(values.tick),
  backfillHours: Number(values['backfill-hours']),
  ...(values.ticks ? { ticks: Number(values.ticks) } : {}),
  log: (line) => console.log(line),
});
const seconds = (performance.now() - started) / 1000;
console.log(
  `sent ${sent} ${values.via === 'mqtt' ? 'messages' : 'requests'} in ${seconds.toFixed(1)} s (${(sent / seconds).toFixed(0)}/s)`,
);
