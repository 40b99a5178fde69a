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
  /** The HTTP port announced (the app's port, or OEE_PUBLIC_PORT behind a proxy). */
  advertisedPort: number;
  logger: Logger;
  /** How often interface addresses are re-read (addresses that appear later get their socket). Default 60 s; 0 = never. */
  rescanMs?: number;
  /** For tests: the interface list (default os.networkInterfaces). */
  interfaces?: () => Interfaces;
}

export interface DiscoveryResponder {
  /** The local addresses with a bound socket ("0.0.0.0" for the broadcast socket). */
  addresses(): string[];
  close(): Promise<void>;
}

interface Bound {
  address: string;
  socket: dgram.Socket;
}

interface Subnet {
  address: string;
  network: number;
  mask: number;
}

/** Replies per second, all senders together (a reply is barely larger than a request: this only caps noise). */
const REPLIES_PER_SECOND = 50;

/**
 * The UDP responder the DigitME2 app uses to find its server (docs/digitme2.md "Discovery"): the datagram
 * `DISCOVER_OEE_SERVER_REQUEST` is answered with `DISCOVER_OEE_SERVER_RESPONSE:<port>`; anything else is
 * ignored. The app stores the reply's *source* address as the server's address, so the reply must leave
 * from the address the tablet can reach.
 *
 * Node has no IP_PKTINFO, so: one socket per IPv4 interface address (loopback included), plus one on
 * 0.0.0.0, all with SO_REUSEADDR on the same port. A datagram sent to one of the host's addresses
 * arrives on that address's socket and is answered from it. Broadcasts (what the app sends: to each
 * interface's broadcast address) arrive only on the 0.0.0.0 socket; they are answered from the socket of
 * the local address on the sender's subnet, or, when none matches (a routed sender), from 0.0.0.0, where
 * the kernel picks the source address of the route back. Addresses are re-read every minute.
 *
 * A port already taken by another program (without SO_REUSEADDR) makes the binds fail: that is logged as
 * a warning and the app runs on without discovery.
 */
export async function startDiscoveryResponder(options: DiscoveryOptions): Promise<DiscoveryResponder> {
  const { port, logger } = options;
  const readInterfaces = options.interfaces ?? networkInterfaces;
  const reply = Buffer.from(`${DISCOVERY_RESPONSE}:${options.advertisedPort}`);
  const bound = new Map<string, Bound>();
  let subnets: Subnet[] = [];
  let closed = false;
  let tokens = REPLIES_PER_SECOND;
  let refilled = Date.now();

  const allowReply = () => {
    const now = Date.now();
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
    let from = via;
    if (via.address === '0.0.0.0') {
      const local = subnetOf(subnets, rinfo.address);
      from = (local && bound.get(local)) || via;
    }
    from.socket.send(reply, rinfo.port, rinfo.address, (err) => {
      if (err) logger.debug({ err, to: rinfo.address }, 'discovery reply not sent');
    });
  };

  const bind = (address: string): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
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

  /** Binds the addresses that appeared, closes those that went. */
  const scan = async () => {
    const found = ipv4Subnets(readInterfaces());
    subnets = found;
    const wanted = new Set(['0.0.0.0', ...found.map((s) => s.address)]);
    for (const address of [...bound.keys()]) if (!wanted.has(address)) unbind(address);
    const added = [...wanted].filter((a) => !bound.has(a));
    await Promise.all(added.map(bind));
  };

  await scan();
  if (bound.size === 0) {
    logger.warn({ port }, `UDP discovery is off: port ${port} is in use`);
  } else {
    logger.info({ port, addresses: [...bound.keys()], advertisedPort: options.advertisedPort }, 'UDP discovery listening');
  }
  const rescanMs = options.rescanMs ?? 60_000;
  const timer =
    rescanMs > 0 && bound.size > 0
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

function ipv4Subnets(interfaces: Interfaces): Subnet[] {
  const out: Subnet[] = [];
  for (const list of Object.values(interfaces)) {
    for (const info of list ?? []) {
      if (info.family !== 'IPv4' || !isIPv4(info.address)) continue;
      const mask = isIPv4(info.netmask) ? ipv4ToInt(info.netmask) : 0xffffffff;
      out.push({ address: info.address, mask, network: (ipv4ToInt(info.address) & mask) >>> 0 });
    }
  }
  // Most specific subnet first.
  return out.sort((a, b) => popcount(b.mask) - popcount(a.mask));
}

function popcount(n: number): number {
  let c = 0;
  for (let x = n; x; x >>>= 1) c += x & 1;
  return c;
}

/** The local address on the sender's subnet, if any. */
function subnetOf(subnets: Subnet[], sender: string): string | null {
  if (!isIPv4(sender)) return null;
  const ip = ipv4ToInt(sender);
  return subnets.find((s) => ((ip & s.mask) >>> 0) === s.network)?.address ?? null;
}
