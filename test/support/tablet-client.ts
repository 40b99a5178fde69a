import { io, type Socket } from 'socket.io-client';
import type { TabletAck as Ack, TabletCommandName, TabletState } from '../../core/realtime/tablet-events.js';

/** A real socket.io-client on `/tablet`, keeping every `tablet:state` it receives. */
export class TabletClient {
  readonly states: TabletState[] = [];
  private waiters: { match: (s: TabletState) => boolean; resolve: (s: TabletState) => void }[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('tablet:state', (state: TabletState) => {
      this.states.push(state);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(state)) return true;
        w.resolve(state);
        return false;
      });
    });
  }

  /** Connects and waits for the first `tablet:state`. */
  static async open(baseUrl: string, token: string): Promise<TabletClient> {
    const socket = io(`${baseUrl}/tablet`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    const client = new TabletClient(socket);
    const first = client.next();
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(err));
    });
    await first;
    return client;
  }

  /** The connect_error message a token gets. */
  static async refusal(baseUrl: string, token: unknown): Promise<string> {
    const socket = io(`${baseUrl}/tablet`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      return await new Promise<string>((resolve) => {
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', (err) => resolve(err.message));
      });
    } finally {
      socket.close();
    }
  }

  get state(): TabletState {
    const last = this.states.at(-1);
    if (!last) throw new Error('no tablet:state yet');
    return last;
  }

  /** The next state (received from now on) that matches. */
  next(match: (s: TabletState) => boolean = () => true, timeoutMs = 5_000): Promise<TabletState> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching tablet:state')), timeoutMs);
      this.waiters.push({ match, resolve: (s) => (clearTimeout(timer), resolve(s)) });
    });
  }

  send(name: TabletCommandName, payload?: unknown): Promise<Ack> {
    const socket = this.socket.timeout(10_000);
    return (payload === undefined ? socket.emitWithAck(name) : socket.emitWithAck(name, payload)) as Promise<Ack>;
  }

  /** Sends and expects `ok: true`. */
  async ok(name: TabletCommandName, payload?: unknown): Promise<Ack> {
    const ack = await this.send(name, payload);
    if (!ack.ok) throw new Error(`${name} refused: ${ack.error.code} ${ack.error.message}`);
    return ack;
  }

  close(): void {
    this.socket.close();
  }
}
