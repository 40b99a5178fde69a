import { connectAsync, type MqttClient } from 'mqtt';
import { ApiClient } from '../support/http-client.js';
import { goal, type BenchPart } from './parts.js';
import type { Target } from './target.js';

/**
 * Issue 21 point 2 (docs/mqtt.md "Throughput"): MQTT in. N simulated machines publish QoS 1 JSON messages to
 * the aedes broker in the bench process, each a state (RUN and STOP by turns) and one good part, as fast as
 * the server's acknowledgements allow: a machine keeps at most WINDOW messages that the server has not yet
 * acknowledged. The figure is messages turned into committed events per second, from the rows counted in the
 * database at the end (a state event and a production record per message), not from the publishes.
 */
interface MqttState {
  names: string[];
}

const MACHINES = 20;
/** Messages a machine has in flight beyond the server's acknowledgements. */
const WINDOW = 10;
/** Goal: 100 machines each sending a state or a count every 50 ms at peak, on the two-core machine. */
const GOAL_MSGS_PER_S = 2_000;
const TOPIC = (name: string) => `bench/${name}/data`;

async function committedRows(t: Target): Promise<number> {
  const [row] = await t.sql.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM state_events WHERE source = 'mqtt') + (SELECT count(*) FROM production_records WHERE source = 'mqtt') AS n`,
  );
  return Number(row!.n);
}

export const mqttBench: BenchPart<MqttState> = {
  name: 'mqtt',
  async setup(t) {
    if (!t.broker) throw new Error('no broker: the mqtt part starts one per side (run.ts)');
    const admin = await new ApiClient(t.url).signIn('admin', t.adminPassword);
    const names: string[] = [];
    for (let i = 0; i < MACHINES; i++) {
      const name = `bench-mqtt-${i}`;
      const id = (await admin.post('/api/v1/machines', { name })).body.id as number;
      const job = await admin.post(`/api/v1/machines/${id}/jobs`, { jobNumber: `BM-${i}`, idealCycleTimeSeconds: 30 });
      if (job.status !== 201) throw new Error(`starting a job: ${job.status} ${JSON.stringify(job.body)}`);
      names.push(name);
    }
    const mapping = await admin.post('/api/v1/mqtt/mappings', {
      name: 'Bench',
      topicFilter: 'bench/+/data',
      machineLevel: 1,
      rules: { format: 'json', statePath: 's', stateCodes: { RUN: 1, STOP: 2 }, timePath: 'ts', goodPath: 'good', counts: 'increment' },
    });
    if (mapping.status !== 201) throw new Error(`the mapping: ${mapping.status} ${JSON.stringify(mapping.body)}`);
    // The subscriber is connected and subscribed once a probe message is committed.
    const probe = await connectAsync(t.broker.url, { clientId: 'bench-probe' });
    const deadline = Date.now() + 60_000;
    try {
      for (let i = 0; (await committedRows(t)) === 0; i++) {
        if (Date.now() > deadline) throw new Error('the server took no MQTT message within 60 s');
        await probe.publishAsync(TOPIC(names[0]!), JSON.stringify({ s: 'RUN', ts: Date.now(), good: 0, probe: i }), { qos: 1 });
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await probe.endAsync();
    }
    return { names };
  },
  cases: [
    {
      name: `MQTT QoS 1 JSON, ${MACHINES} machines`,
      shape: (o) =>
        `${MACHINES} machines (one client each) with a running job, each message a state and 1 good part (increment), ` +
        `at most ${WINDOW} unacknowledged per machine, aedes in the bench process, ${o.seconds} s; counted as committed rows`,
      async run(t, s, o, round) {
        const broker = t.broker!;
        const acked = new Map<string, number>();
        const wake = new Map<string, () => void>();
        const onAck = (packet: { topic?: string; cmd: string }, client: { id: string }) => {
          if (packet.cmd !== 'publish' || !packet.topic || !client.id.startsWith('oee-bench-')) return;
          acked.set(packet.topic, (acked.get(packet.topic) ?? 0) + 1);
          wake.get(packet.topic)?.();
        };
        broker.broker.on('ack', onAck as never);
        const before = await committedRows(t);
        const clients: MqttClient[] = await Promise.all(
          s.names.map((_, i) => connectAsync(broker.url, { clientId: `bench-machine-${i}` })),
        );
        const sent = new Map<string, number>();
        const started = performance.now();
        const stopAt = started + o.seconds * 1000;
        let lastAck = started;
        try {
          await Promise.all(
            s.names.map(async (name, i) => {
              const topic = TOPIC(name);
              const waitFor = (n: number) =>
                new Promise<void>((resolve) => {
                  const check = () => {
                    if ((acked.get(topic) ?? 0) >= n) {
                      wake.delete(topic);
                      resolve();
                    }
                  };
                  wake.set(topic, check);
                  check();
                });
              let n = 0;
              while (performance.now() < stopAt) {
                if (n - (acked.get(topic) ?? 0) >= WINDOW) await waitFor(n - WINDOW + 1);
                // A distinct, increasing time per message: each is new (not a duplicate) and in order.
                const payload = JSON.stringify({ s: n % 2 === 0 ? 'RUN' : 'STOP', ts: Date.now(), good: 1, round, n });
                void clients[i]!.publishAsync(topic, payload, { qos: 1 });
                n++;
                sent.set(topic, n);
                await new Promise((r) => setImmediate(r));
              }
              await waitFor(n);
              lastAck = Math.max(lastAck, performance.now());
            }),
          );
        } finally {
          broker.broker.removeListener('ack', onAck as never);
          await Promise.all(clients.map((c) => c.endAsync()));
        }
        const seconds = (lastAck - started) / 1000;
        const messages = [...sent.values()].reduce((a, b) => a + b, 0);
        const committed = (await committedRows(t)) - before;
        return [
          { metric: 'committed msgs/s', value: Math.round(committed / 2 / seconds), unit: '/s', goal: goal.atLeast(GOAL_MSGS_PER_S) },
          { metric: 'messages', value: messages, unit: 'msgs' },
          { metric: 'not committed', value: messages - committed / 2, unit: 'msgs', goal: goal.atMost(0) },
        ];
      },
    },
  ],
};
