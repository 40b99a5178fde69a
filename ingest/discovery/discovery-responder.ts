import dgram from 'node:dgram';
import { isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';

export const DISCOVERY_REQUEST = 'DISCOVER_OEE_SERVER_REQUEST';
export const DISCOVERY_RESPONSE = 'DISCOVER_OEE_SERVER_RESPONSE';

type Interfaces = ReturnType<typeof networkInterfaces>;

export interface DiscoveryOptions {
  /** UDP port to listen on (OEE_DISCOVERY_PORT, 8090 for the DigitME2 app). */
  port: number;
  /** Where to listen, as HOST: `0.0.0.0` (or `::`) every interface, else that IPv4 address only. */
  host: string;
  /** The HTTP port announced (the app's port, or OEE_PUBLIC_PORT behind a proxy). */
  advertisedPort: number;
  logger: Logger;
  /** How often interface addresses are re-read (for HOST's broadcast address). Default 60 s; 0 = never. */
  rescanMs?: number;
  /** For tests: the interface list (default os.networkInterfaces). */
  interfaces?: () => Interfaces;
}

export interface DiscoveryResponder {
  /** The local addresses with a bound socket. */
  addresses(): string[];
  close(): Promise<void>;
}

interface Bound {
  address: string;
  socket: dgram.Socket;
}

/** Replies per second, all senders together (a reply is barely larger than a request: this only caps noise). */
const REPLIES_PER_SECOND = 50;

/**
 * The UDP responder the DigitME2 app uses to find its server (docs/digitme2.md "Discovery"): the datagram
 * `DISCOVER_OEE_SERVER_REQUEST` is answered with `DISCOVER_OEE_SERVER_RESPONSE:<port>`; anything else is
 * ignored. The app stores the reply's *source* address as the server's address.
 *
 * It listens where HOST says, like the HTTP server, and without SO_REUSEADDR (another program cannot
 * bind the same port beside it and take the requests):
 * - HOST `0.0.0.0`: one socket on every interface; unicast and broadcast requests arrive there, and the
 *   kernel picks the reply's source address from the route back to the tablet (on the tablet's subnet,
 *   the host's address there).
 * - HOST an IPv4 address: a socket on it and, when it is an interface address with a broadcast address,
 *   one on that broadcast address (the app broadcasts to each subnet's broadcast address, which only
 *   reaches sockets on 0.0.0.0 or on that address). Replies leave from HOST. The interfaces are re-read
 *   every minute, for an address that appears later.
 * - any other HOST (a name, IPv6): discovery is off, with a warning (the app speaks IPv4 only).
 *
 * A port already taken makes the bind fail: that is logged as a warning and the app runs on without
 * discovery.
 */
export async function startDiscoveryResponder(options: DiscoveryOptions): Promise<DiscoveryResponder> {
  const { port, logger } = options;
  const readInterfaces = options.interfaces ?? networkInterfaces;
  const reply = Buffer.from(`${DISCOVERY_RESPONSE}:${options.advertisedPort}`);
  const host = options.host === '::' || options.host === '' ? '0.0.0.0' : options.host === 'localhost' ? '127.0.0.1' : options.host;
  const bound = new Map<string, Bound>();
  let closed = false;
  let tokens = REPLIES_PER_SECOND;
  let refilled = performance.now();

  if (!isIPv4(host)) {
    logger.warn({ host }, `UDP discovery is off: HOST ${host} is not an IPv4 address`);
    return { addresses: () => [], close: async () => undefined };
  }

  const allowReply = () => {
    const now = performance.now();
    tokens = Math.min(REPLIES_PER_SECOND, tokens + ((now - refilled) / 1000) * REPLIES_PER_SECOND);
    refilled = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };

  const onMessage = (via: Bound, msg: Buffer, rinfo: dgram.RemoteInfo) => {
    if (msg.length > 256 || rinfo.family !== 'IPv4') return;
    if (msg.toString('utf8').trim() !== DISCOVERY_REQUEST) return;
    if (!allowReply()) return;
    // A broadcast socket's address is no source to reply from: reply from HOST's socket.
    const from = bound.get(host) ?? via;
    from.socket.send(reply, rinfo.port, rinfo.address, (err) => {
      if (err) logger.debug({ err, to: rinfo.address }, 'discovery reply not sent');
    });
  };

  const bind = (address: string): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
      const entry: Bound = { address, socket };
      const failed = (err: Error) => {
        socket.close();
        logger.warn({ err, address, port }, `UDP discovery cannot listen on ${address}:${port}`);
        resolve(false);
      };
      socket.once('error', failed);
      socket.on('message', (msg, rinfo) => onMessage(entry, msg, rinfo));
      socket.bind({ port, address }, () => {
        socket.off('error', failed);
        socket.on('error', (err) => logger.warn({ err, address }, 'UDP discovery socket error'));
        if (closed) {
          socket.close();
          return resolve(false);
        }
        bound.set(address, entry);
        resolve(true);
      });
    });

  const unbind = (address: string) => {
    const entry = bound.get(address);
    if (!entry) return;
    bound.delete(address);
    entry.socket.close();
  };

  /** HOST, and its broadcast address when it has one now. */
  const scan = async () => {
    const wanted = new Set([host]);
    const broadcast = host === '0.0.0.0' ? null : broadcastOf(readInterfaces(), host);
    if (broadcast) wanted.add(broadcast);
    for (const address of [...bound.keys()]) if (!wanted.has(address)) unbind(address);
    // HOST first: the broadcast socket replies through it.
    for (const address of wanted) if (!bound.has(address)) await bind(address);
  };

  await scan();
  if (bound.size === 0) {
    logger.warn({ port, host }, `UDP discovery is off: ${host}:${port} is not available`);
  } else {
    logger.info({ port, addresses: [...bound.keys()], advertisedPort: options.advertisedPort }, 'UDP discovery listening');
  }
  const rescanMs = options.rescanMs ?? 60_000;
  const timer =
    rescanMs > 0 && host !== '0.0.0.0' && bound.size > 0
      ? setInterval(() => {
          scan().catch((err: unknown) => logger.warn({ err }, 'UDP discovery rescan failed'));
        }, rescanMs)
      : null;
  timer?.unref();

  return {
    addresses: () => [...bound.keys()],
    close: async () => {
      closed = true;
      if (timer) clearInterval(timer);
      await Promise.all(
        [...bound.values()].map(
          (b) =>
            new Promise<void>((resolve) => {
              try {
                b.socket.close(() => resolve());
              } catch {
                resolve();
              }
            }),
        ),
      );
      bound.clear();
    },
  };
}

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((n, part) => ((n << 8) | Number(part)) >>> 0, 0);
}

/** The directed broadcast address of the interface holding `address` (none for loopback or a /32). */
function broadcastOf(interfaces: Interfaces, address: string): string | null {
  for (const list of Object.values(interfaces)) {
    for (const info of list ?? []) {
      if (info.family !== 'IPv4' || info.address !== address || info.internal || !isIPv4(info.netmask)) continue;
      const mask = ipv4ToInt(info.netmask);
      if (mask === 0xffffffff) return null;
      const b = ((ipv4ToInt(address) & mask) | ~mask) >>> 0;
      return [b >>> 24, (b >>> 16) & 255, (b >>> 8) & 255, b & 255].join('.');
    }
  }
  return null;
}
