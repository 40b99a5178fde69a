import type { Server } from 'socket.io';
import type { ClusterChannel } from '../../core/cluster/cluster-events.js';
import { AppError } from '../../core/errors.js';
import { LIVE_NAMESPACE, scopeRoom, type GroupWatchResult, type LiveTimeline } from '../../core/realtime/live-events.js';
import { groupWatchRequestSchema, liveHandshakeAuthSchema, timelineTodayRequestSchema } from '../../core/realtime/live-events.schema.js';
import type { LiveViewer } from '../../services/live/live-viewers.js';
import type { RealtimeDeps } from '../../services/realtime.services.js';
import { guardPayload, withAck } from '../socket-ack.js';
import { typedNamespace } from '../socket-types.js';
import { authenticateLive, closeRevoked, refusal } from './live-auth.js';
import { LiveOee } from './live-oee.js';
import { LiveOeeTicker } from './live-oee-ticker.js';
import { LiveRelay } from './live-relay.js';
import { LiveRouting } from './live-routing.js';
import { LiveSnapshots } from './live-snapshots.js';
import type { LiveNamespace, LiveSocket } from './live-socket.js';

export interface LiveOptions {
  /** Every instance re-reads machines, groups and codes this often (a safety net: set-up changes also arrive on the change feed). */
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

/**
 * Namespace `/live` (wall screens; docs/api.md "Socket.IO"). This function connects the parts:
 * - who may watch what: the handshake (`live-auth.ts`, services/live/live-viewers.ts) and `group:watch`;
 * - what a screen gets when it watches a scope: `LiveSnapshots`, read by services/live/live-screens.ts;
 * - which rooms hear which change: `LiveRouting`, across instances through `LiveRelay`;
 * - the OEE: after changes (`LiveOee`) and once a minute (`LiveOeeTicker`);
 * - the names screens show: services/live/live-names.ts, kept by `LiveScreens`.
 * Returns the function that stops it all (shutdown).
 */
export function registerLiveNamespace(io: Server, deps: RealtimeDeps, cluster: ClusterChannel, options: LiveOptions = {}): () => void {
  const nsp = typedNamespace<LiveNamespace>(io, LIVE_NAMESPACE);
  const { logger } = deps;
  const { liveScreens: screens, liveViewers: viewers } = deps;
  const oeeIntervalMs = options.oeeIntervalMs ?? 60_000;
  let closed = false;
  const warnOnFailure = (what: string) => (err: unknown) => {
    if (!closed) logger.warn({ err }, `live: ${what} failed`);
  };

  const oee = new LiveOee(
    (machineId) => deps.oee.currentShiftOee(machineId),
    (machineId, result) => routing.broadcastOee(machineId, result),
    logger,
    {
      maxAgeMs: oeeIntervalMs,
      throttleMs: options.oeeThrottleMs ?? 2_000,
      settleMs: 250,
      minGapMs: options.oeeMinGapMs ?? 200,
      concurrency: 4,
    },
  );
  // Results computed on another instance refresh this one's cache (and count as sent to its screens).
  const relay = new LiveRelay(nsp, cluster, logger, (b) => {
    if (b.event === 'machine:oee-updated') oee.noteSent(b.payload.machineId, b.payload.shift);
  });
  const snapshots = new LiveSnapshots(nsp, (scope) => screens.snapshot(scope, (ids) => oee.current(ids)), logger);
  const refreshSetup = () => void screens.directory.refresh().catch(warnOnFailure('re-reading the set-up'));
  const recheck = () => closeRevoked(nsp, logger).catch(warnOnFailure('checking credentials'));
  const routing = new LiveRouting({
    screens,
    relay,
    oee,
    logger,
    refreshSetup,
    // On a timer, so the authenticator (a listener of the same change) drops its cached keys first.
    recheckCredentials: () => setTimeout(() => void recheck(), 0).unref(),
  });
  const ticker = new LiveOeeTicker(nsp, screens.directory, oee, oeeIntervalMs);

  // Whatever a screen shows of the set-up changed: fresh snapshots for this instance's screens.
  const offSetup = screens.directory.onChanged(() => void snapshots.resendAll().catch(warnOnFailure('sending fresh snapshots')));
  const offFeed = deps.feed.subscribe((change, origin) => routing.onChange(change, origin), { remote: true });
  // Messages of other instances may have been missed: re-read everything, check every credential again.
  const offGap = deps.feed.onGap(() => {
    screens.names.clear();
    refreshSetup();
    void snapshots.resendAll().catch(warnOnFailure('sending fresh snapshots'));
    void recheck();
  });
  const timers = [
    setInterval(refreshSetup, options.directoryRefreshMs ?? 10_000),
    setInterval(() => void recheck(), options.recheckMs ?? 60_000),
  ];
  for (const timer of timers) timer.unref();

  /** The scope a viewer asks for, if allowed: a pinned kiosk token keeps its group. */
  async function allowedScope(viewer: LiveViewer, groupId: number | null): Promise<number | null> {
    if (viewer.pinnedGroupId !== null && groupId !== viewer.pinnedGroupId) {
      throw AppError.forbidden(`This kiosk token shows group ${viewer.pinnedGroupId} only`);
    }
    // A group made since the last re-read: read again before saying it does not exist.
    if (groupId !== null && !screens.directory.hasGroup(groupId)) await screens.directory.refresh();
    if (groupId !== null && !screens.directory.hasGroup(groupId)) throw AppError.notFound(`Group ${groupId}`);
    return groupId;
  }

  nsp.use((socket, next) => {
    const parsed = liveHandshakeAuthSchema.safeParse(socket.handshake.auth ?? {});
    if (!parsed.success)
      return next(refusal(AppError.invalid('Invalid handshake auth: expected {token?: string, groupId?: number | null}')));
    authenticateLive({ token: parsed.data.token, headers: socket.handshake.headers }, viewers)
      .then(async (viewer) => {
        await screens.directory.ready();
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
    socket.on('timeline:today', (request, ack) =>
      withAck<LiveTimeline>(ack, logger, async () => {
        guardPayload(request);
        timelineTodayRequestSchema.parse(request ?? {});
        return screens.todayTimeline(socket.data.scope);
      }),
    );
  });

  return () => {
    closed = true;
    offFeed();
    offGap();
    offSetup();
    for (const timer of timers) clearInterval(timer);
    ticker.close();
    routing.close();
    snapshots.close();
    oee.close();
    relay.close();
    screens.names.clear();
  };
}
