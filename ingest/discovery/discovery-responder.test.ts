import dgram from 'node:dgram';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DISCOVERY_REQUEST, startDiscoveryResponder, type DiscoveryResponder } from './discovery-responder.js';

const logger = pino({ level: 'silent' });
const sockets: dgram.Socket[] = [];
const responders: DiscoveryResponder[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  for (const r of responders.splice(0)) await r.close();
});

async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  const port = await new Promise<number>((resolve) => s.bind(0, '127.0.0.1', () => resolve(s.address().port)));
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function start(host: string) {
  const port = await freePort();
  const responder = await startDiscoveryResponder({ port, host, advertisedPort: 3000, logger, rescanMs: 0 });
  responders.push(responder);
  return { port, responder };
}

/** Binds `address:port` as another program would, with SO_REUSEADDR: the error code, or 'bound'. */
function bindBeside(address: string, port: number): Promise<string> {
  const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  sockets.push(s);
  return new Promise((resolve) => {
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    s.bind(port, address, () => resolve('bound'));
  });
}

async function client() {
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  const replies: string[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (msg, rinfo) => {
    replies.push(`${rinfo.address} ${msg.toString()}`);
    waiters.splice(0).forEach((w) => w());
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const send = (to: string, port: number) =>
    new Promise<void>((resolve, reject) => socket.send(DISCOVERY_REQUEST, port, to, (err) => (err ? reject(err) : resolve())));
  const replyCount = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (replies.length >= n ? resolve() : waiters.push(check));
      check();
    });
  return { replies, send, replyCount };
}

describe('UDP discovery binds where HOST says', () => {
  it('HOST=127.0.0.1: only 127.0.0.1, so a request to another local address is not answered', async () => {
    const { port, responder } = await start('127.0.0.1');
    expect(responder.addresses()).toEqual(['127.0.0.1']);
    const c = await client();
    // 127.0.0.2 is this host too (all of 127/8 is loopback) but not HOST.
    await c.send('127.0.0.2', port);
    await c.send('127.0.0.1', port);
    await c.replyCount(1);
    await c.send('127.0.0.1', port);
    await c.replyCount(2);
    // Had 127.0.0.2 been answered, its reply (asked first) would be among these.
    expect(c.replies).toEqual(['127.0.0.1 DISCOVER_OEE_SERVER_RESPONSE:3000', '127.0.0.1 DISCOVER_OEE_SERVER_RESPONSE:3000']);
    // Another address of the host is free for other programs.
    expect(await bindBeside('127.0.0.2', port)).toBe('bound');
  });

  it('HOST=0.0.0.0: every interface, without SO_REUSEADDR (nobody can bind the port beside it)', async () => {
    const { port, responder } = await start('0.0.0.0');
    expect(responder.addresses()).toEqual(['0.0.0.0']);
    const c = await client();
    await c.send('127.0.0.2', port);
    await c.replyCount(1);
    // The kernel picks the source from the route back (loopback: 127.0.0.1).
    expect(c.replies).toEqual(['127.0.0.1 DISCOVER_OEE_SERVER_RESPONSE:3000']);
    expect(await bindBeside('127.0.0.1', port)).toBe('EADDRINUSE');
    expect(await bindBeside('0.0.0.0', port)).toBe('EADDRINUSE');
  });

  it('turns itself off for a HOST that is not IPv4', async () => {
    const { responder } = await start('::1');
    expect(responder.addresses()).toEqual([]);
  });
});
