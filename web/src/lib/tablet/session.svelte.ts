import { io, type Socket } from 'socket.io-client';
import {
  TABLET_NAMESPACE,
  TABLET_UNKNOWN_TOKEN,
  type TabletAck as Ack,
  type TabletCommandName,
  type TabletCommands,
  type TabletState,
} from '$core/realtime/tablet-events.js';
import { predict } from './predict.js';
import { dequeue, enqueue, loadQueue, newEventId, type QueuedCommand } from './queue.js';

type QueueableName = Exclude<TabletCommandName, 'operator:sign-in'>;

/** No ack within this time: the link is dead even if the socket has not noticed yet. */
const ACK_TIMEOUT_MS = 8_000;

export type Connection = 'connecting' | 'online' | 'offline' | 'refused';

export interface Failure {
  id: number;
  label: string;
  message: string;
}

/**
 * One tablet's link to the server. Every command (except sign-in) goes through the durable queue, online
 * or not: tapped → stamped with `at` and an `eventId` → stored in IndexedDB → sent when connected, one at
 * a time, each waiting for its ack → removed. A command the server refuses is dropped and shown; one that
 * got no answer stays and is sent again (same eventId, so the server applies it at most once).
 */
export class TabletSession {
  /** The server's last `tablet:state`. */
  server = $state.raw<TabletState | null>(null);
  queue = $state.raw<QueuedCommand[]>([]);
  connection = $state<Connection>('connecting');
  failures = $state.raw<Failure[]>([]);
  /** What the screen shows: the server's state with the queued commands applied. */
  readonly view = $derived(this.server ? predict(this.server, this.queue) : null);

  private socket: Socket | null = null;
  private draining: Promise<void> | null = null;
  private inFlight = false;
  /** A state that arrived while a command was in flight: shown once its ack is in (see `drain`). */
  private heldState: TabletState | null = null;
  /** server clock − tablet clock, so queued commands carry the server's idea of "now". */
  private clockOffsetMs = 0;
  private failureIds = 0;
  private readonly cleanups: (() => void)[] = [];

  /** The tablet's credential: the socket's, and the JSON API's for its machine's part catalogue (StartJob). */
  constructor(readonly token: string) {}

  async start(): Promise<void> {
    this.queue = await loadQueue().catch(() => []);
    const socket = io(TABLET_NAMESPACE, {
      auth: { token: this.token },
      // WebSocket only: no long-polling fallback, which would need sticky sessions across instances.
      transports: ['websocket'],
      autoConnect: false,
      reconnectionDelay: 1_000,
      reconnectionDelayMax: 5_000,
      timeout: 8_000,
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.connection = 'online';
      void this.drain();
    });
    socket.on('disconnect', (reason) => {
      // Anything the client buffered while the link was down is resent from the queue instead.
      socket.sendBuffer = [];
      if (this.connection !== 'refused') this.connection = 'offline';
      // The server hung up on purpose (the tablet was deleted): ask again, and learn why.
      if (reason === 'io server disconnect') setTimeout(() => navigator.onLine && socket.connect(), 2_000);
    });
    socket.on('connect_error', (err) => {
      if (err.message === TABLET_UNKNOWN_TOKEN) {
        this.connection = 'refused';
        socket.disconnect();
      } else {
        this.connection = 'offline';
      }
    });
    socket.on('tablet:state', (state: TabletState) => {
      this.clockOffsetMs = Date.parse(state.serverTime) - Date.now();
      if (this.inFlight) this.heldState = state;
      else this.server = state;
    });

    // Browsers keep a dead WebSocket open for a long time after the network goes; trust the OS instead.
    const offline = () => {
      this.connection = 'offline';
      socket.disconnect();
    };
    const online = () => {
      if (this.connection !== 'refused' && !socket.connected) socket.connect();
    };
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    this.cleanups.push(
      () => window.removeEventListener('offline', offline),
      () => window.removeEventListener('online', online),
    );

    if (navigator.onLine) socket.connect();
    else this.connection = 'offline';
  }

  stop(): void {
    for (const cleanup of this.cleanups) cleanup();
    this.socket?.disconnect();
  }

  /** server clock − tablet clock, in milliseconds. */
  clockOffset(): number {
    return this.clockOffsetMs;
  }

  /** "Now" on the server's clock. */
  now(): Date {
    // A value handed to the caller, not state kept here: nothing reacts to it changing.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    return new Date(Date.now() + this.clockOffsetMs);
  }

  /** Sign-in is never queued: the PIN is checked by the server, now. Resolves with an error message or null. */
  async signIn(userId: number, pin: string): Promise<string | null> {
    const socket = this.socket;
    if (!socket?.connected) return 'No connection: signing in needs the network';
    // Taps queued earlier (a sign-out, say) go first, or they would undo this sign-in.
    await this.drain();
    if (this.queue.length > 0) return 'Still sending earlier actions; try again in a moment';
    try {
      const ack = (await socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('operator:sign-in', { userId, pin, eventId: newEventId(), at: this.now().toISOString() })) as Ack;
      return ack.ok ? null : ack.error.message;
    } catch {
      return 'No answer from the server; try again';
    }
  }

  /** Queues a command (durably) and sends it as soon as the link allows. */
  async send<N extends QueueableName>(name: N, payload: TabletCommands[N], label: string): Promise<void> {
    const command = { name, payload: { ...payload, eventId: newEventId(), at: this.now().toISOString() }, label } as QueuedCommand;
    let stored: QueuedCommand;
    try {
      stored = await enqueue(command);
    } catch {
      // No IndexedDB (private mode, full disk): keep it in memory rather than lose the tap.
      stored = { ...command, seq: -Date.now() };
    }
    this.queue = [...this.queue, stored];
    void this.drain();
  }

  dismiss(id: number): void {
    this.failures = this.failures.filter((f) => f.id !== id);
  }

  /** Replays the queue in order, one command at a time, each waiting for its ack. One replay at a time. */
  private drain(): Promise<void> {
    this.draining ??= this.replay().finally(() => {
      this.draining = null;
      this.release();
      // Reconnected while the last replay was winding down: carry on.
      if (this.socket?.connected && this.queue.length > 0) setTimeout(() => void this.drain(), 0);
    });
    return this.draining;
  }

  private async replay(): Promise<void> {
    while (this.socket?.connected && this.queue.length > 0) {
      const command = this.queue[0]!;
      let ack: Ack;
      this.inFlight = true;
      try {
        ack = (await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(command.name, command.payload)) as Ack;
      } catch {
        // No answer: drop the link and start again; the replay carries the same eventId.
        this.release();
        this.socket.disconnect().connect();
        return;
      }
      if (!ack.ok && ack.error.code === 'unavailable') {
        this.release();
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        continue;
      }
      if (!ack.ok) this.failures = [...this.failures, { id: ++this.failureIds, label: command.label, message: ack.error.message }];
      if (command.seq !== undefined && command.seq >= 0) await dequeue(command.seq).catch(() => undefined);
      this.queue = this.queue.filter((c) => c !== command);
      this.release();
    }
  }

  /** Shows the state held back while a command was in flight (it came before the ack, and includes the command). */
  private release(): void {
    this.inFlight = false;
    if (this.heldState) this.server = this.heldState;
    this.heldState = null;
  }
}
