import type { Namespace, Server, Socket } from 'socket.io';
import { AppError } from '../../core/errors.js';
import type { OeeResult } from '../../core/oee/index.js';
import {
  LIVE_NAMESPACE,
  roomsOfMachine,
  scopeRoom,
  type GroupWatchResult,
  type LiveClientToServerEvents,
  type LiveJob,
  type LiveMachine,
  type LiveOperator,
  type LiveServerToClientEvents,
  type LiveSnapshotMeta,
  type MachineStateChanged,
} from '../../core/realtime/live-events.js';
import { groupWatchRequestSchema, liveHandshakeAuthSchema } from '../../core/realtime/live-events.schema.js';
import type { ChangeOrigin, CommittedChange } from '../../services/change-feed.js';
import { LiveRepository } from '../../db/repositories/live.repository.js';
import { guardPayload, withAck } from '../socket-ack.js';
import type { AppServices } from '../../services/app-services.js';
import { authenticateLive, type LiveViewer } from './live-auth.js';
import { LiveDirectory } from './live-directory.js';
import { LiveOee } from './live-oee.js';
import { LiveRelay } from './live-relay.js';

interface LiveSocketData {
  viewer: LiveViewer;
  /** The one scope the socket watches: a group, or null for the whole site. */
  scope: number | null;
}

type LiveNamespace = Namespace<LiveClientToServerEvents, LiveServerToClientEvents, Record<string, never>, LiveSocketData>;
type LiveSocket = Socket<LiveClientToServerEvents, LiveServerToClientEvents, Record<string, never>, LiveSocketData>;

export interface LiveOptions {
  /** Every instance re-reads machines, groups and codes this often (set-up edits on any instance). */
  directoryRefreshMs?: number;
  /** Every instance sends its own screens each watched machine's OEE this often. */
  oeeIntervalMs?: number;
  /** At most one OEE update per machine per this many ms after changes. */
  oeeThrottleMs?: number;
  /** At least this many ms between two OEE updates after changes (any machines), so they never crowd out state changes. */
  oeeMinGapMs?: number;
  /** Credentials of open sockets are checked again this often (revoked kiosk tokens and keys). */
  recheckMs?: number;
}

/** Job and operator names seen lately (a state change carries only their ids). */
const NAME_CACHE_MS = 60_000;
const NAME_CACHE_MAX = 10_000;

/**
 * Namespace `/live` (wall screens; docs/api.md "Socket.IO").
 *
 * Every socket is in exactly one room: `site` or `group:<id>` (its scope). A change is routed to
 * the rooms of its machine's group (`roomsOfMachine`), so one emit reaches each socket allowed to
 * see it once, and nobody else.
 *
 * Several instances: a shop-floor change is announced only by the instance that committed it (the
 * others hear of it on the change feed too, but only act on set-up changes: credentials, machines,
 * codes). That instance delivers it to its own sockets at once and relays it once
 * through the Postgres adapter to the other instances, in order (`LiveRelay`); they deliver it to
 * their own sockets and relay nothing. So each screen gets each change once, wherever it is
 * connected and wherever the change was committed.
 *
 * OEE: after changes, the committing instance computes the machine's result (throttled per
 * machine, and paced across machines) and sends it to every instance's screens like a change. The
 * once-a-minute update is local: each instance computes the machines its own sockets watch, spread
 * over the minute, and emits to its own sockets only (`nsp.local`). So no broadcast is multiplied
 * by the number of instances, an instance without screens computes nothing, and no leader election
 * is needed; the cost is that two instances whose screens watch the same machine both compute it
 * (a couple of queries each) unless a relayed result made it fresh.
 */
export function registerLiveNamespace(io: Server, deps: AppServices, options: LiveOptions = {}): () => void {
  const nsp = io.of(LIVE_NAMESPACE) as unknown as LiveNamespace;
  const { logger, clock } = deps;
  const repo = new LiveRepository(deps.dataSource);
  const directory = new LiveDirectory(repo);
  const oeeIntervalMs = options.oeeIntervalMs ?? 60_000;
  const oee = new LiveOee((machineId) => deps.oee.currentShiftOee(machineId), broadcastOee, logger, {
    maxAgeMs: oeeIntervalMs,
    throttleMs: options.oeeThrottleMs ?? 2_000,
    settleMs: 250,
    minGapMs: options.oeeMinGapMs ?? 200,
    concurrency: 4,
  });
  const jobs = new NameCache<LiveJob>((id) => repo.job(id));
  const operators = new NameCache<LiveOperator>((id) => repo.operator(id));
  // Results computed on another instance refresh this one's cache (and count as sent to its screens).
  const relay = new LiveRelay(io.of(LIVE_NAMESPACE), logger, (m) => {
    if (m.event === 'machine:oee-updated') oee.noteSent(m.payload.machineId, m.payload.shift);
  });
  let closed = false;

  // --- connect

  nsp.use((socket, next) => {
    const parsed = liveHandshakeAuthSchema.safeParse(socket.handshake.auth ?? {});
    if (!parsed.success) return next(refusal(AppError.invalid('Invalid handshake auth: expected {token?: string, groupId?: number | null}')));
    authenticateLive({ token: parsed.data.token, headers: socket.handshake.headers }, deps)
      .then(async (viewer) => {
        await directory.ready();
        socket.data.viewer = viewer;
        socket.data.scope = await allowedScope(viewer, parsed.data.groupId ?? viewer.pinnedGroupId);
        next();
      })
      .catch((err: unknown) => {
        if (!(err instanceof AppError)) logger.warn({ err }, 'live: could not authenticate a screen');
        next(refusal(err));
      });
  });

  nsp.on('connection', (socket: LiveSocket) => {
    logger.debug({ viewer: socket.data.viewer.label, scope: socket.data.scope }, 'live: screen connected');
    // Join first, then read: a change committed meanwhile is sent, and the snapshot cannot miss it.
    void socket.join(scopeRoom(socket.data.scope));
    snapshots.send(socket);
    socket.on('group:watch', (request, ack) =>
      withAck<GroupWatchResult>(ack, logger, async () => {
        guardPayload(request);
        const { groupId } = groupWatchRequestSchema.parse(request);
        const scope = await allowedScope(socket.data.viewer, groupId);
        if (scope !== socket.data.scope) {
          void socket.leave(scopeRoom(socket.data.scope));
          socket.data.scope = scope;
          void socket.join(scopeRoom(scope));
        }
        snapshots.send(socket);
        return { groupId: scope };
      }),
    );
  });

  /** The scope a viewer asks for, if allowed: a pinned kiosk token keeps its group. */
  async function allowedScope(viewer: LiveViewer, groupId: number | null): Promise<number | null> {
    if (viewer.pinnedGroupId !== null && groupId !== viewer.pinnedGroupId) {
      throw AppError.forbidden(`This kiosk token shows group ${viewer.pinnedGroupId} only`);
    }
    // A group made since the last re-read: read again before saying it does not exist.
    if (groupId !== null && !directory.hasGroup(groupId)) await refreshDirectory();
    if (groupId !== null && !directory.hasGroup(groupId)) throw AppError.notFound(`Group ${groupId}`);
    return groupId;
  }

  // --- snapshots

  async function readSnapshot(scope: number | null): Promise<[LiveMachine[], LiveSnapshotMeta]> {
    const rows = await deps.repos.machineStates.list({ ...(scope === null ? {} : { groupId: scope }), activeOnly: true });
    const results = await oee.current(rows.map((r) => r.machineId));
    const now = clock.now();
    const machines = rows.map<LiveMachine>((r) => ({
      machineId: r.machineId,
      name: r.name,
      groupId: r.groupId,
      state: {
        activityCodeId: r.activityCodeId,
        category: r.category,
        since: r.since,
        jobId: r.job?.id ?? null,
        operatorId: r.operator?.id ?? null,
        offShift: directory.offShift(r.machineId, now),
      },
      job: r.job,
      operator: r.operator,
      oee: results.get(r.machineId) ?? null,
    }));
    return [machines, { groupId: scope, serverTime: now.toISOString(), activityCodes: directory.activityCodes, groups: directory.groups(scope) }];
  }

  const snapshots = new SnapshotReader(readSnapshot, (socket, err) => {
    if (closed) return;
    logger.warn({ err, viewer: socket.data.viewer.label }, 'live: could not read a snapshot; the screen reconnects');
    socket.disconnect();
  });

  /**
   * Re-reads the set-up; when machines, groups, codes or calendars changed, this instance's screens
   * get a fresh snapshot (each instance re-reads on its own timer, so `local`).
   */
  async function refreshDirectory(): Promise<void> {
    if (!(await directory.refresh()) || closed) return;
    void resnapshot().catch((err: unknown) => {
      if (!closed) logger.warn({ err }, 'live: could not send fresh snapshots');
    });
  }

  async function resnapshot(): Promise<void> {
    for (const scope of localScopes()) {
      const [machines, meta] = await readSnapshot(scope);
      if (!closed) nsp.local.to(scopeRoom(scope)).emit('machines:snapshot', machines, meta);
    }
  }

  /** The scopes this instance's sockets watch. */
  function localScopes(): (number | null)[] {
    const scopes = new Set<number | null>();
    for (const socket of nsp.sockets.values()) scopes.add(socket.data.scope);
    return [...scopes];
  }

  // --- changes

  /** Work per machine runs in order, so a slow look-up never lets an older state overtake a newer one. */
  const chains = new Map<number, Promise<void>>();
  function inOrder(machineId: number, work: () => Promise<void>): void {
    const next = (chains.get(machineId) ?? Promise.resolve())
      .then(work)
      .catch((err: unknown) => {
        if (!closed) logger.warn({ err, machineId }, 'live: could not announce a change');
      })
      .finally(() => {
        if (chains.get(machineId) === next) chains.delete(machineId);
      });
    chains.set(machineId, next);
  }

  function broadcastState(groupId: number | null, change: MachineStateChanged): void {
    relay.send({ rooms: roomsOfMachine(groupId), event: 'machine:state-changed', payload: change });
  }

  function broadcastOee(machineId: number, result: OeeResult): void {
    const machine = directory.machine(machineId);
    if (machine) relay.send({ rooms: roomsOfMachine(machine.groupId), event: 'machine:oee-updated', payload: { machineId, shift: result } });
  }

  function oeeAfterChange(machineId: number): void {
    if (directory.machine(machineId)) oee.afterChange(machineId);
  }

  /** The machine, reading the directory again once if it is new. Inactive machines are on no screen. */
  async function machineOf(machineId: number) {
    if (!directory.machine(machineId)) await refreshDirectory();
    return directory.machine(machineId);
  }

  function onChange(change: CommittedChange, origin: ChangeOrigin): void {
    // Another instance's shop-floor changes reach these screens through its relay (with the OEE it
    // computes after them); here they only make the cached OEE stale. Its set-up changes (revoked
    // credentials, new machines or codes) are acted on here at once.
    if (origin === 'remote' && change.kind !== 'setup') {
      oee.forget(change.machineId);
      return;
    }
    switch (change.kind) {
      case 'machine-state': {
        const machine = directory.machine(change.machineId);
        const job = change.jobId === null ? null : jobs.peek(change.jobId);
        const operator = change.operatorId === null ? null : operators.peek(change.operatorId);
        const state = (m: { groupId: number | null }, j: LiveJob | null, o: LiveOperator | null) =>
          broadcastState(m.groupId, {
            machineId: change.machineId,
            activityCodeId: change.activityCodeId,
            category: change.category,
            since: change.since,
            jobId: change.jobId,
            operatorId: change.operatorId,
            offShift: directory.offShift(change.machineId, clock.now()),
            job: j,
            operator: o,
          });
        // The hot path (known machine, names at hand, nothing queued for it) announces at once.
        if (machine && job !== undefined && operator !== undefined && !chains.has(change.machineId)) {
          state(machine, job, operator);
        } else {
          inOrder(change.machineId, async () => {
            const m = await machineOf(change.machineId);
            if (!m) return;
            const [j, o] = await Promise.all([change.jobId === null ? null : jobs.get(change.jobId), change.operatorId === null ? null : operators.get(change.operatorId)]);
            state(m, j, o);
          });
        }
        oeeAfterChange(change.machineId);
        return;
      }
      case 'operator':
      case 'shift': {
        // These carry no code: announce the machine's whole current state.
        const offShift = change.kind === 'shift' ? change.offShift : null;
        inOrder(change.machineId, async () => {
          const m = await machineOf(change.machineId);
          const row = m ? (await deps.repos.machineStates.list({ machineIds: [change.machineId], activeOnly: true }))[0] : undefined;
          if (!m || !row) return;
          broadcastState(m.groupId, {
            machineId: row.machineId,
            activityCodeId: row.activityCodeId,
            category: row.category,
            since: row.since,
            jobId: row.job?.id ?? null,
            operatorId: row.operator?.id ?? null,
            offShift: offShift ?? directory.offShift(row.machineId, clock.now()),
            job: row.job,
            operator: row.operator,
          });
        });
        if (change.kind === 'shift') oeeAfterChange(change.machineId);
        return;
      }
      case 'job':
        if (change.action !== 'started') jobs.forget(change.jobId);
        oeeAfterChange(change.machineId);
        return;
      case 'timeline':
      case 'production':
        oeeAfterChange(change.machineId);
        return;
      case 'setup':
        if (change.entity === 'kiosk-token' || change.entity === 'api-key' || change.entity === 'user') {
          // A revoked credential closes its screens now, on every instance (the change feed carries
          // set-up changes to all); on a timer, so the cached API keys are dropped first.
          setTimeout(() => void recheck().catch((err: unknown) => logger.warn({ err }, 'live: could not check credentials')), 0).unref();
        } else if (change.entity !== 'tablet') {
          void refreshDirectory().catch((err: unknown) => logger.warn({ err }, 'live: could not re-read the set-up'));
        }
        return;
      default:
        return;
    }
  }

  const unsubscribe = deps.feed.subscribe(onChange, { remote: true });
  // Missed messages of other instances: re-read the set-up and check every credential again.
  const offGap = deps.feed.onGap(() => {
    void refreshDirectory().catch(() => undefined);
    void recheck().catch(() => undefined);
  });

  // --- timers

  /**
   * The once-a-minute OEE, spread out: machine by machine (those this instance's sockets watch), to
   * this instance's sockets only, in rounds of half the interval. A machine whose result reached the
   * screens within the last 40 % of an interval (after a change, here or relayed from another instance)
   * is skipped, so each screen still gets every machine's OEE at least once per interval.
   */
  let round: { id: number; groupId: number | null }[] = [];
  let roundGapMs = oeeIntervalMs;
  let tickTimer: NodeJS.Timeout | null = null;
  function scheduleTick(delayMs: number): void {
    if (closed) return;
    tickTimer = setTimeout(() => {
      tickTimer = null;
      oeeTick();
    }, delayMs);
    tickTimer.unref();
  }
  function oeeTick(): void {
    if (round.length === 0) {
      const scopes = localScopes();
      round = scopes.length === 0 ? [] : directory.machines.filter((m) => scopes.includes(null) || (m.groupId !== null && scopes.includes(m.groupId)));
      // Nothing watched: look again shortly; else one machine per slice of the interval.
      roundGapMs = round.length === 0 ? Math.min(5_000, oeeIntervalMs) : Math.max(10, Math.floor(oeeIntervalMs / 2 / round.length));
    }
    const machine = round.shift();
    scheduleTick(roundGapMs);
    if (!machine || oee.sentWithin(machine.id, oeeIntervalMs * 0.4)) return;
    oee.noteSent(machine.id);
    void oee.refresh(machine.id).then((result) => {
      if (result && !closed) nsp.local.to(roomsOfMachine(machine.groupId)).emit('machine:oee-updated', { machineId: machine.id, shift: result });
    });
  }
  scheduleTick(Math.min(5_000, oeeIntervalMs));

  /** Sockets whose credential no longer holds are closed (the screen then shows why it cannot reconnect). */
  async function recheck(): Promise<void> {
    const byCredential = new Map<string, LiveSocket[]>();
    for (const socket of nsp.sockets.values()) {
      const list = byCredential.get(socket.data.viewer.credentialKey) ?? [];
      list.push(socket);
      byCredential.set(socket.data.viewer.credentialKey, list);
    }
    for (const sockets of byCredential.values()) {
      const valid = await sockets[0]!.data.viewer.stillValid().catch(() => true); // a database hiccup closes nobody
      if (!valid && !closed) {
        logger.info({ viewer: sockets[0]!.data.viewer.label, sockets: sockets.length }, 'live: credential revoked; closing its screens');
        for (const socket of sockets) socket.disconnect(true);
      }
    }
  }

  const every = (ms: number, run: () => Promise<void>, what: string) => {
    const timer = setInterval(() => {
      run().catch((err: unknown) => {
        if (!closed) logger.warn({ err }, `live: ${what} failed`);
      });
    }, ms);
    timer.unref();
    return timer;
  };
  const timers = [
    every(options.directoryRefreshMs ?? 10_000, refreshDirectory, 're-reading the set-up'),
    every(options.recheckMs ?? 60_000, recheck, 'checking credentials'),
  ];

  return () => {
    closed = true;
    unsubscribe();
    offGap();
    for (const timer of timers) clearInterval(timer);
    if (tickTimer) clearTimeout(tickTimer);
    oee.close();
    relay.close();
    jobs.clear();
    operators.clear();
  };
}

/** A `connect_error` with a message for people and `data.code` for the screen's logic. */
function refusal(err: unknown): Error & { data: { code: string } } {
  const appError = err instanceof AppError ? err : new AppError('unavailable', 503, 'The server cannot check credentials right now; retrying');
  const refused = new Error(appError.message) as Error & { data: { code: string } };
  refused.data = { code: appError.code };
  return refused;
}

/**
 * Snapshots, read per scope: sockets that joined while a read was running wait for the next one
 * (which starts after they joined, so it sees every change they were not sent), and everyone
 * waiting for a scope shares one read. A thousand screens reconnecting at once cost a few reads.
 */
class SnapshotReader {
  private readonly scopes = new Map<number | null, { running: boolean; waiting: LiveSocket[] }>();

  constructor(
    private readonly read: (scope: number | null) => Promise<[LiveMachine[], LiveSnapshotMeta]>,
    private readonly failed: (socket: LiveSocket, err: unknown) => void,
  ) {}

  send(socket: LiveSocket): void {
    const scope = socket.data.scope;
    let entry = this.scopes.get(scope);
    if (!entry) {
      entry = { running: false, waiting: [] };
      this.scopes.set(scope, entry);
    }
    entry.waiting.push(socket);
    if (!entry.running) void this.run(scope, entry);
  }

  private async run(scope: number | null, entry: { running: boolean; waiting: LiveSocket[] }): Promise<void> {
    entry.running = true;
    while (entry.waiting.length > 0) {
      const sockets = entry.waiting;
      entry.waiting = [];
      try {
        const [machines, meta] = await this.read(scope);
        // A socket that moved to another scope meanwhile gets that scope's snapshot from its own request.
        for (const socket of sockets) if (socket.connected && socket.data.scope === scope) socket.emit('machines:snapshot', machines, meta);
      } catch (err) {
        for (const socket of sockets) if (socket.connected) this.failed(socket, err);
      }
    }
    entry.running = false;
    this.scopes.delete(scope);
  }
}

/** Names by id with a short memory: `peek` answers from memory only (undefined = not known). */
class NameCache<T> {
  private readonly entries = new Map<number, { value: T | null; at: number }>();

  constructor(private readonly load: (id: number) => Promise<T | null>) {}

  peek(id: number): T | null | undefined {
    const entry = this.entries.get(id);
    return entry && Date.now() - entry.at <= NAME_CACHE_MS ? entry.value : undefined;
  }

  async get(id: number): Promise<T | null> {
    const known = this.peek(id);
    if (known !== undefined) return known;
    const value = await this.load(id);
    if (this.entries.size >= NAME_CACHE_MAX) this.entries.clear();
    this.entries.set(id, { value, at: Date.now() });
    return value;
  }

  forget(id: number): void {
    this.entries.delete(id);
  }

  clear(): void {
    this.entries.clear();
  }
}
