import { roomsOfMachine } from '../../core/realtime/live-events.js';
import type { DirectoryMachine, LiveDirectory } from '../../services/live/live-directory.js';
import type { LiveOee } from './live-oee.js';
import { localScopes, type LiveNamespace } from './live-socket.js';

/**
 * The once-a-minute OEE of `/live`, spread out: machine by machine (those this instance's sockets
 * watch), to this instance's sockets only, in rounds of half the interval. So no broadcast is
 * multiplied by the number of instances, an instance without screens computes nothing, and no
 * leader election is needed; the cost is that two instances whose screens watch the same machine
 * both compute it, unless a result relayed after a change made it fresh.
 *
 * A machine whose result reached the screens within the last 40 % of an interval (after a change,
 * here or relayed from another instance) is skipped, so each screen still gets every machine's OEE
 * at least once per interval.
 */
export class LiveOeeTicker {
  private round: DirectoryMachine[] = [];
  private gapMs: number;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly nsp: LiveNamespace,
    private readonly directory: LiveDirectory,
    private readonly oee: LiveOee,
    private readonly intervalMs: number,
  ) {
    this.gapMs = intervalMs;
    this.schedule(Math.min(5_000, intervalMs));
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick();
    }, delayMs);
    this.timer.unref();
  }

  private tick(): void {
    if (this.round.length === 0) {
      this.round = this.directory.watchedBy(localScopes(this.nsp));
      // Nothing watched: look again shortly; else one machine per slice of half the interval.
      this.gapMs =
        this.round.length === 0 ? Math.min(5_000, this.intervalMs) : Math.max(10, Math.floor(this.intervalMs / 2 / this.round.length));
    }
    const machine = this.round.shift();
    this.schedule(this.gapMs);
    if (!machine || this.oee.sentWithin(machine.id, this.intervalMs * 0.4)) return;
    this.oee.noteSent(machine.id);
    void this.oee.refresh(machine.id).then((result) => {
      if (result && !this.closed)
        this.nsp.local.to(roomsOfMachine(machine.groupId)).emit('machine:oee-updated', { machineId: machine.id, shift: result });
    });
  }
}
