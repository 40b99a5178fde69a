/**
 * The wall screens of `npm run soak` (scripts/soak.ts), in their own process so that hundreds of
 * socket.io clients do not share the load generator's event loop. argv[2]: JSON
 * `{ url, token, groupIds, screens, churnPerStep, churnMs }`. Connects every screen to `/live` (a
 * third of them on the site, the others on a group), sends `{type: 'ready'}`, then every `churnMs`
 * closes `churnPerStep` screens and connects new ones in their place (screens reloading, kiosks
 * rebooting), so what a connection leaves behind on the server adds up. On `{type: 'stop'}` it
 * closes every screen and sends `{type: 'stopped', received, reconnects}`.
 */
import { io, type Socket } from 'socket.io-client';

interface Options {
  url: string;
  token: string;
  groupIds: number[];
  screens: number;
  churnPerStep: number;
  churnMs: number;
}

const options = JSON.parse(process.argv[2]!) as Options;
let received = 0;
let reconnects = 0;
const screens: Socket[] = [];

function connect(i: number): Promise<Socket> {
  const groupId = i % 3 === 0 ? null : options.groupIds[i % options.groupIds.length]!;
  const socket = io(`${options.url}/live`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: { token: options.token, groupId },
  });
  socket.on('machine:state-changed', () => received++);
  socket.on('machine:oee-updated', () => received++);
  return new Promise((resolve, reject) => {
    socket.once('machines:snapshot', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

for (let i = 0; i < options.screens; i += 25) {
  const batch: Promise<Socket>[] = [];
  for (let j = i; j < Math.min(options.screens, i + 25); j++) batch.push(connect(j));
  screens.push(...(await Promise.all(batch)));
}
process.send!({ type: 'ready' });

let next = 0;
let stopping = false;
const churn = setInterval(() => {
  if (screens.length === 0) return;
  void (async () => {
    for (let k = 0; k < options.churnPerStep && !stopping; k++) {
      const i = next++ % screens.length;
      screens[i]!.close();
      try {
        screens[i] = await connect(i);
        reconnects++;
      } catch (err) {
        console.error(`screen ${i} failed to reconnect: ${(err as Error).message}`);
      }
    }
  })();
}, options.churnMs);

// The soak ended without a stop (it failed): the screens go with it.
process.once('disconnect', () => process.exit(0));
process.on('message', (message: { type: string }) => {
  if (message.type !== 'stop') return;
  stopping = true;
  clearInterval(churn);
  for (const socket of screens) socket.close();
  process.send!({ type: 'stopped', received, reconnects }, () => process.disconnect());
});
