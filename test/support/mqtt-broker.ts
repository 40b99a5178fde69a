import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';

/**
 * A real MQTT broker in the test process (aedes, in-memory persistence). `restart` closes it and opens a new one
 * on the same port with the same persistence: what a broker that keeps its sessions does across a restart.
 */
export interface TestBroker {
  url: string;
  port: number;
  broker: Aedes;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startAedes(port = 0): Promise<TestBroker> {
  let broker = await Aedes.createBroker();
  let server = await listen(broker, port);
  const actualPort = (server.address() as AddressInfo).port;
  const persistence = (broker as unknown as { persistence: unknown }).persistence;
  const close = async () => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const result: TestBroker = {
    url: `mqtt://127.0.0.1:${actualPort}`,
    port: actualPort,
    broker,
    async restart() {
      await close();
      broker = await Aedes.createBroker({ persistence });
      server = await listen(broker, actualPort);
      result.broker = broker;
    },
    stop: close,
  };
  return result;
}

function listen(broker: Aedes, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(broker.handle);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** A device's client, connected. */
export function deviceClient(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  return connectAsync(url, { reconnectPeriod: 200, ...options });
}

/** Polls `read` until `done` holds for its value, failing after `deadlineMs`. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, deadlineMs = 10_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`${what}: not within ${deadlineMs} ms; last ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
