import type { Logger } from 'pino';
import { CREDENTIAL_ENTITIES, type CommittedChange } from '../../core/cluster/committed-change.js';
import type { OeeResult } from '../../core/oee/index.js';
import { roomsOfMachine, type LiveAlertChanged } from '../../core/realtime/live-events.js';
import type { ChangeOrigin } from '../../services/change-feed.js';
import type { LiveScreens, RoutedState } from '../../services/live/live-screens.js';
import type { LiveOee } from './live-oee.js';
import type { LiveRelay } from './live-relay.js';

export interface LiveRoutingDeps {
  screens: LiveScreens;
  relay: LiveRelay;
  oee: LiveOee;
  logger: Logger;
  /** Re-reads the set-up; screens get a fresh snapshot when something they show changed. */
  refreshSetup(): void;
  /** Checks every open screen's credential again (revoked ones are closed). */
  recheckCredentials(): void;
}

/**
 * Which screens hear which change. Every socket is in exactly one room, `site` or `group:<id>` (its
 * scope); a change is sent to the rooms of its machine's group (`roomsOfMachine`), so one emit
 * reaches each socket allowed to see it once, and nobody else.
 *
 * Several instances: a shop-floor change is announced only by the instance that committed it. It
 * delivers the message to its own screens at once and relays it to the other instances
 * (`LiveRelay`), which deliver it to theirs and relay nothing; they hear the change itself too (the
 * change feed) and only drop the machine's cached OEE. Set-up changes are acted on by every
 * instance, wherever they were committed: credentials, machines, groups, codes; and so are alert
 * changes, each instance reading the alert for its own screens.
 */
export class LiveRouting {
  /** Work per machine runs in order, so a slow look-up never lets an older state overtake a newer one. */
  private readonly chains = new Map<number, Promise<void>>();
  private closed = false;

  constructor(private readonly deps: LiveRoutingDeps) {}

  onChange(change: CommittedChange, origin: ChangeOrigin): void {
    const { screens, oee } = this.deps;
    if (this.closed) return;
    screens.names.follow(change);
    if (change.kind === 'alert') {
      // Alerts are committed by the scheduler and the API, which may run no `/live`: every instance
      // hears each alert change, wherever it was committed, and tells its own screens.
      this.inOrder(change.machineId, async () => this.deliverAlert(await screens.alerts.changed(change.alertId)));
      return;
    }
    if (origin === 'remote' && change.kind !== 'setup') {
      // Its messages (and the OEE computed after it) come through the committing instance's relay.
      oee.forget(change.machineId);
      return;
    }
    switch (change.kind) {
      case 'machine-state': {
        // The hot path (known machine, names at hand, nothing queued for it) announces at once.
        const known = this.chains.has(change.machineId) ? undefined : screens.peekStateOfChange(change);
        if (known) this.broadcastState(known);
        else this.inOrder(change.machineId, async () => this.broadcastState(await screens.stateOfChange(change)));
        this.oeeAfterChange(change.machineId);
        return;
      }
      case 'operator':
      case 'shift': {
        // These carry no code: announce the machine's whole current state.
        const offShift = change.kind === 'shift' ? change.offShift : undefined;
        this.inOrder(change.machineId, async () => this.broadcastState(await screens.currentState(change.machineId, offShift)));
        if (change.kind === 'shift') this.oeeAfterChange(change.machineId);
        return;
      }
      case 'job':
      case 'timeline':
      case 'production':
        this.oeeAfterChange(change.machineId);
        return;
      case 'setup':
        if (CREDENTIAL_ENTITIES.includes(change.entity)) this.deps.recheckCredentials();
        else if (change.entity !== 'tablet') this.deps.refreshSetup();
        return;
    }
  }

  /** A machine's OEE computed after changes (`LiveOee`), to every instance's screens of its rooms. */
  broadcastOee(machineId: number, result: OeeResult): void {
    const machine = this.deps.screens.directory.machine(machineId);
    if (machine)
      this.deps.relay.send({ rooms: roomsOfMachine(machine.groupId), event: 'machine:oee-updated', payload: { machineId, shift: result } });
  }

  close(): void {
    this.closed = true;
  }

  private broadcastState(state: RoutedState | null): void {
    if (state && !this.closed)
      this.deps.relay.send({ rooms: roomsOfMachine(state.groupId), event: 'machine:state-changed', payload: state.message });
  }

  private async deliverAlert(message: LiveAlertChanged | null): Promise<void> {
    const machine = message && (await this.deps.screens.machineOf(message.machineId));
    if (message && machine && !this.closed) this.deps.relay.sendHere(roomsOfMachine(machine.groupId), message);
  }

  private oeeAfterChange(machineId: number): void {
    if (this.deps.screens.directory.machine(machineId)) this.deps.oee.afterChange(machineId);
  }

  private inOrder(machineId: number, work: () => Promise<void>): void {
    const next = (this.chains.get(machineId) ?? Promise.resolve())
      .then(work)
      .catch((err: unknown) => {
        if (!this.closed) this.deps.logger.warn({ err, machineId }, 'live: could not announce a change');
      })
      .finally(() => {
        if (this.chains.get(machineId) === next) this.chains.delete(machineId);
      });
    this.chains.set(machineId, next);
  }
}
