import { io, type Socket } from 'socket.io-client';
import {
  LIVE_NAMESPACE,
  type LiveActivityCode,
  type LiveAlert,
  type LiveAlertChanged,
  type LiveClientToServerEvents,
  type LiveGroup,
  type LiveHandshakeAuth,
  type LiveMachine,
  type LiveServerToClientEvents,
  type LiveSnapshotMeta,
  type LiveTimeline,
  type MachineOeeUpdated,
  type MachineStateChanged,
} from '$core/realtime/live-events.js';
import { applyAlertChange } from './wall-alerts';

export type WallStatus = 'connecting' | 'live' | 'offline' | 'refused';

type LiveSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

/** Changes received lately, re-applied over a snapshot that may have been read before them. */
const RECENT_MS = 15_000;
const RECENT_MAX = 500;
/** After the server closed the socket (restart, revoked token), try again after this long (growing). */
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/**
 * The wall's one `/live` socket and the state it keeps: machines, codes, groups, and whether the
 * data is live. Reconnects by itself (socket.io's manager for lost links; a timer when the server
 * closed the socket or refused it) and takes each fresh snapshot as the truth. Everything it
 * registers is removed by `close`, so a screen running for days does not accumulate listeners.
 */
export class WallConnection {
  machines = $state<LiveMachine[]>([]);
  codes = $state<Record<number, LiveActivityCode>>({});
  groups = $state<LiveGroup[]>([]);
  /** The scope the server confirmed: null = the whole site. */
  scope = $state<number | null>(null);
  status = $state<WallStatus>('connecting');
  /** Why the server refused this screen, for people. */
  refusal = $state<string | null>(null);
  /** Snapshots received so far: a fresh one (reconnect, set-up edit) is when a screen re-reads what it keeps. */
  snapshots = $state(0);
  /** Client time (ms) of the last message from the server. */
  lastUpdate = $state<number | null>(null);
  /** The site's zone: the wall shows site time, whatever the TV's zone. */
  timezone = $state('UTC');
  /** The site's long-stop thresholds (minutes by category). */
  longStopMinutes = $state<LiveSnapshotMeta['longStopMinutes']>({});
  /** The site's date format: the wall writes dates as the site does. */
  dateFormat = $state<LiveSnapshotMeta['dateFormat']>('YYYY-MM-DD');
  /** Server time − client time, so times in state are right on a TV with a wrong clock. */
  serverOffsetMs = $state(0);
  /** The open alerts of the scope that show on the wall (docs/alerts.md "Wall"). */
  alerts = $state<LiveAlert[]>([]);

  private readonly socket: LiveSocket;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup from machine id to its place in `machines` (which is the reactive state)
  private readonly index = new Map<number, number>();
  private recent: { at: number; change: MachineStateChanged }[] = [];
  private recentAlerts: { at: number; change: LiveAlertChanged }[] = [];
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryMs = RETRY_MIN_MS;
  private closed = false;

  constructor(auth: LiveHandshakeAuth) {
    this.socket = io(LIVE_NAMESPACE, {
      auth,
      reconnectionDelay: 1_000,
      reconnectionDelayMax: 5_000,
      // Long-polling first works through any proxy; it upgrades to a websocket at once where it can.
      transports: ['polling', 'websocket'],
    });
    this.socket.on('connect', this.onConnect);
    this.socket.on('disconnect', this.onDisconnect);
    this.socket.on('connect_error', this.onConnectError);
    this.socket.on('machines:snapshot', this.onSnapshot);
    this.socket.on('machine:state-changed', this.onStateChanged);
    this.socket.on('machine:oee-updated', this.onOeeUpdated);
    this.socket.on('alert:changed', this.onAlertChanged);
  }

  /** Today's intervals of the scope (the group timeline); null when offline or refused. */
  async todayTimeline(): Promise<LiveTimeline | null> {
    if (!this.socket.connected) return null;
    try {
      const answer = await this.socket.timeout(15_000).emitWithAck('timeline:today', {});
      return answer.ok ? answer.data : null;
    } catch {
      return null; // no answer in time: the next snapshot asks again
    }
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }

  private readonly onConnect = () => {
    this.retryMs = RETRY_MIN_MS;
    this.refusal = null;
    // 'live' once the snapshot is in: until then the tiles are the old data.
  };

  private readonly onDisconnect = (reason: Socket.DisconnectReason) => {
    this.status = 'offline';
    this.recent = [];
    this.recentAlerts = [];
    // The server closed this socket (restart, revoked token): socket.io does not retry that by itself.
    if (reason === 'io server disconnect') this.retryLater();
  };

  private readonly onConnectError = (err: Error & { data?: { code?: string } }) => {
    const code = err.data?.code;
    const refused = code === 'unauthenticated' || code === 'forbidden' || code === 'invalid_input' || code === 'not_found';
    this.status = refused ? 'refused' : 'offline';
    this.refusal = refused ? err.message : null;
    // Refused by the server (not a lost link): the manager will not retry, so we do; slowly when refused.
    if (!this.socket.active) this.retryLater(refused ? RETRY_MAX_MS * 2 : undefined);
  };

  private readonly onSnapshot = (machines: LiveMachine[], meta: LiveSnapshotMeta) => {
    const now = Date.now();
    this.serverOffsetMs = Date.parse(meta.serverTime) - now;
    this.codes = Object.fromEntries(meta.activityCodes.map((c) => [c.id, c]));
    this.groups = meta.groups;
    this.timezone = meta.timezone;
    this.longStopMinutes = meta.longStopMinutes;
    this.dateFormat = meta.dateFormat;
    this.scope = meta.groupId;
    this.index.clear();
    machines.forEach((m, i) => this.index.set(m.machineId, i));
    // Changes that arrived while the snapshot was read may be newer than it.
    this.prune(now);
    for (const { change } of this.recent) {
      const i = this.index.get(change.machineId);
      const machine = i === undefined ? undefined : machines[i];
      if (machine && isNewer(machine, change)) applyChange(machine, change);
    }
    this.machines = machines;
    // Alert changes too: each takes an alert only forward (raised → escalated → acknowledged → off the wall).
    this.alerts = this.recentAlerts.reduce((alerts, { change }) => applyAlertChange(alerts, change), meta.alerts);
    this.status = 'live';
    this.lastUpdate = now;
    this.snapshots += 1;
  };

  private readonly onStateChanged = (change: MachineStateChanged) => {
    const now = Date.now();
    this.lastUpdate = now;
    this.prune(now);
    this.recent.push({ at: now, change });
    const i = this.index.get(change.machineId);
    const machine = i === undefined ? undefined : this.machines[i];
    if (machine && isNewer(machine, change)) applyChange(machine, change);
  };

  private readonly onOeeUpdated = (update: MachineOeeUpdated) => {
    this.lastUpdate = Date.now();
    const i = this.index.get(update.machineId);
    const machine = i === undefined ? undefined : this.machines[i];
    if (machine) machine.oee = update.shift;
  };

  private readonly onAlertChanged = (change: LiveAlertChanged) => {
    const now = Date.now();
    this.lastUpdate = now;
    this.prune(now);
    this.recentAlerts.push({ at: now, change });
    this.alerts = applyAlertChange(this.alerts, change);
  };

  private prune(now: number): void {
    for (const list of [this.recent, this.recentAlerts])
      while (list.length > 0 && (list.length > RECENT_MAX || now - list[0]!.at > RECENT_MS)) list.shift();
  }

  private retryLater(delayMs?: number): void {
    if (this.closed || this.retryTimer) return;
    const delay = delayMs ?? this.retryMs;
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null;
        if (!this.closed && !this.socket.connected) this.socket.connect();
      },
      delay * (0.75 + Math.random() * 0.5),
    );
  }
}

/**
 * Whether a change is newer than what a tile shows. Changes of one machine can arrive out of
 * order across server instances; the state's start time orders them. A later change may move the
 * start earlier only when it merges into the same code (a late event or a correction), so an
 * earlier start with the same code is taken too.
 */
function isNewer(machine: LiveMachine, change: MachineStateChanged): boolean {
  const current = machine.state;
  if (current.since === null || change.since === null) return true;
  return Date.parse(change.since) >= Date.parse(current.since) || change.activityCodeId === current.activityCodeId;
}

function applyChange(machine: LiveMachine, change: MachineStateChanged): void {
  machine.state = {
    activityCodeId: change.activityCodeId,
    category: change.category,
    since: change.since,
    jobId: change.jobId,
    operatorId: change.operatorId,
    offShift: change.offShift,
  };
  machine.job = change.job;
  machine.operator = change.operator;
}
