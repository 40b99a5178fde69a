import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { CommittedChange } from '../../services/change-feed.js';
import { legacyNetworkAdmits, type LegacyAnonymousMode } from '../../core/net/legacy-network.js';
import { legacyBrowserRefusal } from '../../core/net/browser-origin.js';
import type { RealtimeDeps } from '../../services/realtime.services.js';

export const INPUT_DEVICE_UPDATES_PATH = '/api/input-device-updates';

export interface InputDeviceUpdatesOptions {
  /** OEE_LEGACY_ANONYMOUS: which client addresses may connect. */
  mode: LegacyAnonymousMode;
  /** OEE_ALLOWED_HOSTS: browsers of other sites and unknown Host names are refused, as on the HTTP legacy routes. */
  allowedHosts: readonly string[];
  /** Express's compiled `trust proxy` (the client address behind a trusted proxy). */
  trustProxy?: (address: string, hop: number) => boolean;
  /** Ping period; a socket that did not answer the previous ping is dropped (default 30 s). */
  pingIntervalMs?: number;
  /** How long a new socket may take to send its `{"device_uuid"}` (default 30 s). */
  helloTimeoutMs?: number;
}

export interface InputDeviceUpdates {
  close(): Promise<void>;
}

interface Client {
  ws: WebSocket;
  tabletId: number;
  machineId: number;
  operatorId: number | null;
  /** The code last sent; a change is sent only when the code differs. */
  lastCode: number;
}

interface Pending {
  machines: Set<number>;
  tablets: Set<number>;
}

const LOCAL_COALESCE_MS = 25;

/**
 * DigitME2's tablet websocket (docs/digitme2.md, plain WebSocket on the app's HTTP port, next to Socket.IO):
 * the client sends `{"device_uuid": "U"}`; the server answers with the machine's current activity code
 * id as a bare text frame (`2`: the pausable screens compare it verbatim), then sends
 * `{"action": "activity_change", "activity_code_id": <id>}` whenever the machine's code changes (from any
 * source) and `{"action": "logout"}` when the tablet's operator is signed out elsewhere (an admin's force
 * logout; any sign-out that did not come from this tablet's own screen has the same effect).
 *
 * Changes: the change feed, which carries every instance's committed changes (the cluster channel).
 * Each refresh re-reads the
 * tablets and machine states concerned, so a coalesced burst sends only the latest code. Re-pairing a
 * tablet moves its socket to the new machine (and sends that machine's code); deleting or unpairing it
 * closes the socket. Sockets that miss a ping are dropped.
 */
export function attachInputDeviceUpdates(server: HttpServer, deps: RealtimeDeps, options: InputDeviceUpdatesOptions): InputDeviceUpdates {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024, perMessageDeflate: false });
  const tablets = deps.tabletSockets;
  const clients = new Set<Client>();
  const alive = new WeakMap<WebSocket, boolean>();
  let closed = false;

  // Upgrades: this path only (Socket.IO's engine handles /socket.io/ on the same event).
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (pathOf(req.url) !== INPUT_DEVICE_UPDATES_PATH) {
      // Nobody else listens (no realtime hub): do not leave the connection hanging.
      if (server.listenerCount('upgrade') === 1) socket.destroy();
      return;
    }
    if (
      closed ||
      !legacyNetworkAdmits(clientAddress(req, options.trustProxy), options.mode) ||
      legacyBrowserRefusal(req.headers, options.allowedHosts) !== null
    ) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  };
  server.on('upgrade', onUpgrade);

  const onConnection = (ws: WebSocket) => {
    alive.set(ws, true);
    let client: Client | null = null;
    let greeted = false;
    const hello = setTimeout(() => ws.close(1008, 'Send {"device_uuid": …} first'), options.helloTimeoutMs ?? 30_000);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', () => undefined);
    ws.on('close', () => {
      clearTimeout(hello);
      if (client) clients.delete(client);
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      alive.set(ws, true);
      // Only the first frame means something; later ones are ignored.
      if (greeted) return;
      greeted = true;
      clearTimeout(hello);
      const uuid = isBinary ? null : deviceUuidOf(data.toString());
      if (!uuid) {
        ws.close(1008, 'Expected {"device_uuid": "…"}');
        return;
      }
      // Through the refresh chain: a change committed while this socket registers is sent after its first frame.
      enqueue(async () => {
        const tablet = await tablets.ofDeviceUuid(uuid);
        if (ws.readyState !== WebSocket.OPEN) return;
        if (!tablet) return ws.close(4004, 'Unknown tablet');
        if (tablet.machineId === null) return ws.close(4009, 'Tablet not paired with a machine');
        const code = (await tablets.currentCodes([tablet.machineId])).get(tablet.machineId)!;
        if (ws.readyState !== WebSocket.OPEN) return;
        client = { ws, tabletId: tablet.tabletId, machineId: tablet.machineId, operatorId: tablet.operatorId, lastCode: code };
        clients.add(client);
        ws.send(String(code));
      });
    });
  };

  // Refreshes, one at a time.
  let chain: Promise<void> = Promise.resolve();
  const enqueue = (work: () => Promise<unknown>) => {
    chain = chain.then(work).then(
      () => undefined,
      (err: unknown) => deps.logger.warn({ err }, 'DigitME2 tablet websocket update failed'),
    );
  };

  const refresh = async (changed: Pending) => {
    const affected = [...clients].filter((c) => changed.machines.has(c.machineId) || changed.tablets.has(c.tabletId));
    if (affected.length === 0) return;
    const rows = await tablets.legacyViews(affected.map((c) => c.tabletId));
    const remaining: Client[] = [];
    for (const c of affected) {
      const row = rows.get(c.tabletId);
      if (c.operatorId !== null && (row?.operatorId ?? null) === null) send(c.ws, { action: 'logout' });
      if (!row || row.machineId === null) {
        clients.delete(c);
        c.ws.close(row ? 4009 : 4004, row ? 'Tablet not paired with a machine' : 'Tablet removed');
        continue;
      }
      c.operatorId = row.operatorId;
      c.machineId = row.machineId;
      remaining.push(c);
    }
    if (remaining.length === 0) return;
    const codes = await tablets.currentCodes([...new Set(remaining.map((c) => c.machineId))]);
    for (const c of remaining) {
      const code = codes.get(c.machineId)!;
      if (code === c.lastCode) continue;
      c.lastCode = code;
      send(c.ws, { action: 'activity_change', activity_code_id: code });
    }
  };

  const local: Pending = { machines: new Set(), tablets: new Set() };
  let localTimer: NodeJS.Timeout | null = null;

  const take = (p: Pending): Pending => {
    const out = { machines: new Set(p.machines), tablets: new Set(p.tablets) };
    p.machines.clear();
    p.tablets.clear();
    return out;
  };

  const schedule = (machines: number[], tablets: number[]) => {
    if (closed) return;
    for (const id of machines) local.machines.add(id);
    for (const id of tablets) local.tablets.add(id);
    localTimer ??= setTimeout(() => {
      localTimer = null;
      const changed = take(local);
      enqueue(() => refresh(changed));
    }, LOCAL_COALESCE_MS);
  };

  const onChange = (change: CommittedChange) => {
    switch (change.kind) {
      case 'machine-state':
      case 'timeline':
      case 'operator':
        return schedule([change.machineId], []);
      case 'setup':
        if (change.id === null) return;
        if (change.entity === 'tablet') return schedule([], [change.id]);
        if (change.entity === 'machine') return schedule([change.id], []);
        return;
      default:
        return;
    }
  };
  // Changes committed on any instance (the cluster channel): each instance refreshes its own sockets.
  const unsubscribe = deps.feed.subscribe(onChange, { remote: true });
  // Changes of other instances may have been missed: look at every socket again.
  const offGap = deps.feed.onGap(() =>
    schedule([...new Set([...clients].map((c) => c.machineId))], [...new Set([...clients].map((c) => c.tabletId))]),
  );

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.pingIntervalMs ?? 30_000);
  heartbeat.unref();

  return {
    close: async () => {
      if (closed) return;
      closed = true;
      server.off('upgrade', onUpgrade);
      unsubscribe();
      clearInterval(heartbeat);
      offGap();
      if (localTimer) clearTimeout(localTimer);
      // Close politely, then cut whatever has not closed within a second (it would hold the HTTP server open).
      await Promise.all(
        [...wss.clients].map(
          (ws) =>
            new Promise<void>((resolve) => {
              const cut = setTimeout(() => {
                ws.terminate();
                resolve();
              }, 1_000);
              ws.once('close', () => {
                clearTimeout(cut);
                resolve();
              });
              ws.close(1001, 'Server shutting down');
            }),
        ),
      );
      clients.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await chain;
    },
  };
}

function send(ws: WebSocket, message: unknown): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
}

function pathOf(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0]!;
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function deviceUuidOf(text: string): string | null {
  try {
    const parsed = JSON.parse(text) as unknown;
    const uuid = parsed && typeof parsed === 'object' ? (parsed as { device_uuid?: unknown }).device_uuid : undefined;
    return typeof uuid === 'string' && /^[A-Za-z0-9._:-]{1,100}$/.test(uuid) ? uuid : null;
  } catch {
    return null;
  }
}

/** The client's address as Express computes req.ip: X-Forwarded-For is followed through trusted proxies only. */
function clientAddress(req: IncomingMessage, trust?: (address: string, hop: number) => boolean): string {
  const direct = req.socket.remoteAddress ?? '';
  if (!trust) return direct;
  const forwarded = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .reverse();
  const chain = [direct, ...forwarded];
  for (let hop = 0; hop < chain.length - 1; hop++) {
    if (!trust(chain[hop]!, hop)) return chain[hop]!;
  }
  return chain[chain.length - 1]!;
}
