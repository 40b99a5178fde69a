// The screens of the fan-out bench, in their own process (their own core), so a thousand clients
// do not share the server's event loop. argv[2]: JSON { url, token, clients, connectConcurrency }.
// Sends {type: 'ready', connectMs} once every client has its snapshot; on {type: 'finish', expected}
// waits (up to 10 s) until every client has `expected` changes, then sends the receipt times
// {type: 'receipts', receipts: {key: [ms, ...]}, missing, duplicates} and exits.
import { io } from 'socket.io-client';

const { url, token, clients, connectConcurrency } = JSON.parse(process.argv[2]);
const now = () => performance.timeOrigin + performance.now();

/** key (machineId|since) → receipt times, one per client. */
const receipts = new Map();
const counts = new Array(clients).fill(0);
let duplicates = 0;
const sockets = [];

function connectOne(i) {
  return new Promise((resolve, reject) => {
    const socket = io(`${url}/live`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
    const seen = new Set();
    socket.on('machine:state-changed', (change) => {
      const at = now();
      const key = `${change.machineId}|${change.since}`;
      if (seen.has(key)) {
        duplicates++;
        return;
      }
      seen.add(key);
      counts[i]++;
      let list = receipts.get(key);
      if (!list) receipts.set(key, (list = []));
      list.push(at);
    });
    socket.once('machines:snapshot', () => resolve(socket));
    socket.once('connect_error', (err) => reject(err));
    sockets.push(socket);
  });
}

const started = now();
for (let i = 0; i < clients; i += connectConcurrency) {
  const batch = [];
  for (let j = i; j < Math.min(clients, i + connectConcurrency); j++) batch.push(connectOne(j));
  await Promise.all(batch);
}
let cpuStart;
process.send({ type: 'ready', connectMs: Math.round(now() - started) });

process.on('message', async (message) => {
  if (message.type === 'start') {
    cpuStart = process.cpuUsage();
    return;
  }
  if (message.type !== 'finish') return;
  const cpu = process.cpuUsage(cpuStart);
  const deadline = now() + 10_000;
  while (counts.some((c) => c < message.expected) && now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const missing = counts.reduce((sum, c) => sum + Math.max(0, message.expected - c), 0);
  for (const socket of sockets) socket.close();
  process.send(
    { type: 'receipts', receipts: Object.fromEntries(receipts), missing, duplicates, cpuMs: (cpu.user + cpu.system) / 1000 },
    () => process.disconnect(),
  );
});
