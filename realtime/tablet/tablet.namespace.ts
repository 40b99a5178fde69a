import type { Namespace, Server, Socket } from 'socket.io';
import {
  TABLET_COMMANDS,
  TABLET_NAMESPACE,
  TABLET_UNKNOWN_TOKEN,
  tabletMachineRoom,
  tabletRoom,
  type TabletAck,
  type TabletClientToServerEvents,
  type TabletCommandName,
  type TabletServerToClientEvents,
} from '../../core/realtime/tablet-events.js';
import type { CommittedChange } from '../../services/change-feed.js';
import type { RealtimeDeps } from '../../services/realtime.services.js';
import { ackError, guardPayload } from '../socket-ack.js';
import { typedNamespace, type NoInterServerEvents } from '../socket-types.js';

interface TabletSocketData {
  tabletId: number;
  machineId: number | null;
  /** Commands of one socket run one after the other, in the order they came. */
  chain: Promise<void>;
}

type TabletNamespace = Namespace<TabletClientToServerEvents, TabletServerToClientEvents, NoInterServerEvents, TabletSocketData>;
type TabletSocket = Socket<TabletClientToServerEvents, TabletServerToClientEvents, NoInterServerEvents, TabletSocketData>;

/** Changes are pushed in small batches: a job end (state, counts, job) becomes one `tablet:state`. */
const COALESCE_MS = 25;

/**
 * Every tablet gets a fresh state this often even when nothing changed: the shift's OEE moves with time
 * alone (a stop grows). The job's target the tablet counts on by itself between states.
 */
const REFRESH_MS = 60_000;

/** The token a tablet socket connected with; null when it sent none that could be one. */
function tokenOf(socket: Pick<TabletSocket, 'handshake'>): string | null {
  const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
  return typeof token !== 'string' || token.length === 0 || token.length > 200 ? null : token;
}

/**
 * Namespace `/tablet` (operator tablets, docs/api.md). A tablet connects with its token; its socket joins the
 * room of its machine and receives `tablet:state` on connect and after every committed change of that
 * machine from any source and any instance (the change feed, which carries other instances' changes too). Commands are
 * answered by acks after the fresh state has been pushed, so a client that has its ack has its state.
 * Returns an unsubscribe for shutdown.
 */
export function registerTabletNamespace(io: Server, deps: RealtimeDeps): () => void {
  const nsp = typedNamespace<TabletNamespace>(io, TABLET_NAMESPACE);
  const tablets = deps.tabletSockets;

  let pushChain: Promise<void> = Promise.resolve();
  const pending = { machines: new Set<number>(), tablets: new Set<number>(), all: false };
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const socketsIn = (rooms: string[]): TabletSocket[] => {
    const ids = new Set<string>();
    for (const room of rooms) for (const id of nsp.adapter.rooms.get(room) ?? []) ids.add(id);
    return [...ids].map((id) => nsp.sockets.get(id)).filter((s): s is TabletSocket => s !== undefined);
  };

  /** Reloads the sockets' tablets (pairing may have changed), moves them to the right room and pushes their state. */
  const push = async (sockets: TabletSocket[]): Promise<void> => {
    const connected = sockets.filter((s) => s.connected);
    if (connected.length === 0) return;
    const states = await tablets.states(connected.map((s) => s.data.tabletId));
    for (const socket of connected) {
      const tablet = states.get(socket.data.tabletId);
      if (!tablet) {
        // The tablet was deleted: its token no longer opens anything.
        socket.disconnect(true);
        continue;
      }
      if (tablet.machineId !== socket.data.machineId) {
        if (socket.data.machineId !== null) void socket.leave(tabletMachineRoom(socket.data.machineId));
        if (tablet.machineId !== null) void socket.join(tabletMachineRoom(tablet.machineId));
        socket.data.machineId = tablet.machineId;
      }
      socket.emit('tablet:state', tablet.state);
    }
  };

  /** Pushes are serialised, so a tablet never receives an older state after a newer one. */
  const enqueuePush = (sockets: () => TabletSocket[]): Promise<void> => {
    const run = pushChain.then(() => push(sockets()));
    pushChain = run.catch((err: unknown) => deps.logger.warn({ err }, 'tablet state push failed'));
    return run;
  };

  const flush = () => {
    timer = null;
    const local = { machines: [...pending.machines], tablets: [...pending.tablets], all: pending.all };
    pending.machines.clear();
    pending.tablets.clear();
    pending.all = false;
    if (local.all || local.machines.length || local.tablets.length) {
      void enqueuePush(() =>
        local.all ? [...nsp.sockets.values()] : socketsIn([...local.machines.map(tabletMachineRoom), ...local.tablets.map(tabletRoom)]),
      ).catch(() => undefined);
    }
  };

  const schedule = (change: { machines?: number[]; tablets?: number[]; all?: boolean }) => {
    if (closed) return;
    for (const id of change.machines ?? []) pending.machines.add(id);
    for (const id of change.tablets ?? []) pending.tablets.add(id);
    if (change.all) pending.all = true;
    timer ??= setTimeout(flush, COALESCE_MS);
  };

  /** Closes this tablet's sockets whose token no longer opens it (a re-issued token; a deleted tablet). */
  const recheckTokens = async (tabletId: number): Promise<void> => {
    for (const socket of socketsIn([tabletRoom(tabletId)])) {
      const tablet = await tablets.ofToken(tokenOf(socket) ?? '');
      if (tablet?.tabletId !== tabletId) socket.disconnect(true);
    }
  };

  const onChange = (change: CommittedChange) => {
    if (change.kind === 'setup') {
      if (change.entity === 'tablet' && change.id !== null) {
        const id = change.id;
        recheckTokens(id).then(
          () => schedule({ tablets: [id] }),
          (err: unknown) => deps.logger.warn({ err }, 'tablet token re-check failed'),
        );
      } else if (change.entity === 'machine' && change.id !== null) schedule({ machines: [change.id] });
      else if (change.entity === 'activity-code' || change.entity === 'user') schedule({ all: true });
      return;
    }
    schedule({ machines: [change.machineId] });
  };
  // Every instance's changes (the cluster channel); each instance pushes to its own sockets.
  const unsubscribe = deps.feed.subscribe(onChange, { remote: true });
  const offGap = deps.feed.onGap(() => schedule({ all: true }));
  const refresh = setInterval(() => {
    if (nsp.sockets.size > 0) schedule({ all: true });
  }, REFRESH_MS);
  refresh.unref();

  nsp.use((socket, next) => {
    const token = tokenOf(socket);
    if (token === null) return next(new Error(TABLET_UNKNOWN_TOKEN));
    tablets.ofToken(token).then(
      (tablet) => {
        if (!tablet) return next(new Error(TABLET_UNKNOWN_TOKEN));
        socket.data.tabletId = tablet.tabletId;
        socket.data.machineId = tablet.machineId;
        socket.data.chain = Promise.resolve();
        next();
      },
      (err: unknown) => {
        deps.logger.warn({ err }, 'tablet authentication failed');
        next(new Error('unavailable'));
      },
    );
  });

  nsp.on('connection', (socket) => {
    void socket.join(tabletRoom(socket.data.tabletId));
    if (socket.data.machineId !== null) void socket.join(tabletMachineRoom(socket.data.machineId));
    void enqueuePush(() => [socket]).catch(() => undefined);

    for (const name of TABLET_COMMANDS) {
      (socket as unknown as { on(event: string, listener: (...args: unknown[]) => void): void }).on(name, (...args: unknown[]) => {
        const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (answer: TabletAck) => void) : null;
        socket.data.chain = socket.data.chain.then(() => handle(socket, name, args[0], ack));
      });
    }
  });

  const handle = async (
    socket: TabletSocket,
    name: TabletCommandName,
    payload: unknown,
    ack: ((answer: TabletAck) => void) | null,
  ): Promise<void> => {
    let answer: TabletAck;
    let machineId: number | null = null;
    try {
      guardPayload(payload);
      const outcome = await tablets.run(socket.data.tabletId, name, payload);
      answer = { ok: true, data: outcome.result };
      machineId = outcome.machineId;
    } catch (err) {
      answer = ackError(err, deps.logger);
    }
    // Fresh state first, then the answer: to every tablet of the machine after a change, and to this one
    // after a refusal too (it may have acted on an old state). The push reads after this point, so the
    // change the command announced needs no second local push; other instances hear of it on the change feed.
    if (machineId !== null) pending.machines.delete(machineId);
    await enqueuePush(() => {
      const sockets = machineId === null ? [] : socketsIn([tabletMachineRoom(machineId)]);
      return sockets.includes(socket) ? sockets : [...sockets, socket];
    }).catch(() => undefined);
    ack?.(answer);
  };

  return () => {
    closed = true;
    unsubscribe();
    offGap();
    clearInterval(refresh);
    if (timer) clearTimeout(timer);
  };
}
