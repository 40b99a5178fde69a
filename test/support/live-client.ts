import { io, type Socket } from 'socket.io-client';
import type { Ack } from '../../core/realtime/ack.js';
import type {
  GroupWatchRequest,
  GroupWatchResult,
  LiveAlertChanged,
  LiveClientToServerEvents,
  LiveMachine,
  LiveServerToClientEvents,
  LiveSnapshotMeta,
  MachineOeeUpdated,
  MachineStateChanged,
} from '../../core/realtime/live-events.js';

export type LiveClientSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

type Received =
  | { event: 'machines:snapshot'; machines: LiveMachine[]; meta: LiveSnapshotMeta }
  | { event: 'machine:state-changed'; change: MachineStateChanged }
  | { event: 'machine:oee-updated'; update: MachineOeeUpdated }
  | { event: 'alert:changed'; alert: LiveAlertChanged };

/**
 * A real socket.io-client on `/live` that records everything it receives, in order, and lets a
 * test wait for what it expects (never for a fixed time).
 */
export class LiveTestClient {
  readonly received: Received[] = [];
  private waiters: { test: () => boolean; resolve: () => void }[] = [];

  private constructor(readonly socket: LiveClientSocket) {
    socket.on('machines:snapshot', (machines, meta) => this.push({ event: 'machines:snapshot', machines, meta }));
    socket.on('machine:state-changed', (change) => this.push({ event: 'machine:state-changed', change }));
    socket.on('machine:oee-updated', (update) => this.push({ event: 'machine:oee-updated', update }));
    socket.on('alert:changed', (alert) => this.push({ event: 'alert:changed', alert }));
  }

  /** Connects and resolves after the first snapshot; rejects with the server's refusal. */
  static async connect(
    baseUrl: string,
    options: { token?: string; cookie?: string; groupId?: number | null } = {},
  ): Promise<LiveTestClient> {
    const socket: LiveClientSocket = io(`${baseUrl}/live`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: {
        ...(options.token !== undefined ? { token: options.token } : {}),
        ...(options.groupId !== undefined ? { groupId: options.groupId } : {}),
      },
      ...(options.cookie ? { extraHeaders: { cookie: options.cookie } } : {}),
    });
    const client = new LiveTestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => {
        socket.close();
        reject(err);
      });
    });
    await client.waitFor(() => client.snapshots.length > 0, 'first snapshot');
    return client;
  }

  /** The refusal of a connection that must fail: `{message, code}`. */
  static async refusal(
    baseUrl: string,
    options: { token?: string; cookie?: string; auth?: Record<string, unknown> } = {},
  ): Promise<{ message: string; code: string | undefined }> {
    const socket: LiveClientSocket = io(`${baseUrl}/live`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: options.auth ?? (options.token !== undefined ? { token: options.token } : {}),
      ...(options.cookie ? { extraHeaders: { cookie: options.cookie } } : {}),
    });
    try {
      return await new Promise((resolve, reject) => {
        socket.once('connect', () => reject(new Error('connected, expected a refusal')));
        socket.once('connect_error', (err) =>
          resolve({ message: err.message, code: (err as Error & { data?: { code?: string } }).data?.code }),
        );
      });
    } finally {
      socket.close();
    }
  }

  get snapshots() {
    return this.received.filter((r): r is Extract<Received, { event: 'machines:snapshot' }> => r.event === 'machines:snapshot');
  }

  get stateChanges(): MachineStateChanged[] {
    return this.received.flatMap((r) => (r.event === 'machine:state-changed' ? [r.change] : []));
  }

  get oeeUpdates(): MachineOeeUpdated[] {
    return this.received.flatMap((r) => (r.event === 'machine:oee-updated' ? [r.update] : []));
  }

  get alertChanges(): LiveAlertChanged[] {
    return this.received.flatMap((r) => (r.event === 'alert:changed' ? [r.alert] : []));
  }

  lastSnapshot() {
    return this.snapshots.at(-1)!;
  }

  watch(request: GroupWatchRequest | unknown): Promise<Ack<GroupWatchResult>> {
    return this.socket.timeout(5_000).emitWithAck('group:watch', request as GroupWatchRequest);
  }

  /** Resolves when `test` holds (checked after every event received), or fails after `timeoutMs`. */
  waitFor(test: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${what}; received ${JSON.stringify(this.received.map((r) => r.event))}`));
      }, timeoutMs);
      const waiter = {
        test,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  close(): void {
    this.socket.close();
  }

  private push(item: Received): void {
    this.received.push(item);
    for (const waiter of [...this.waiters]) {
      if (waiter.test()) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve();
      }
    }
  }
}
