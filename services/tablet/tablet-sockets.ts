import type { TabletCommandName, TabletState } from '../../core/realtime/tablet-events.js';
import { BUILT_IN_CODES } from '../../core/state/built-in-codes.js';
import { LegacyTabletRepository } from '../../db/repositories/legacy-tablet.repository.js';
import type { TabletRow } from '../../db/repositories/tablet-workflow.repository.js';
import { hashToken } from '../auth/hashing.js';
import type { AppServices } from '../app-services.js';
import type { DirectPersistence } from '../persistence.js';
import { TabletCommandService, type CommandOutcome } from './tablet-commands.js';
import { TabletStateBuilder } from './tablet-state.js';

/** A tablet as its sockets know it: which one, and the machine whose room it is in. */
export interface TabletIdentity {
  tabletId: number;
  machineId: number | null;
}

/** A tablet DigitME2's websocket follows: its machine and the operator signed in on it. */
export interface LegacyTabletView extends TabletIdentity {
  operatorId: number | null;
}

/**
 * What the tablet sockets ask of the application (realtime/tablet and realtime/legacy): who a token
 * or device uuid is, each tablet's fresh state, the machines' current codes, and the commands.
 */
export class TabletSockets {
  private readonly builder: TabletStateBuilder;
  private readonly commands: TabletCommandService;
  private readonly legacyTablets: LegacyTabletRepository;

  constructor(private readonly deps: AppServices & DirectPersistence) {
    this.builder = new TabletStateBuilder(deps, deps.oee);
    this.commands = new TabletCommandService(deps, deps.pinAttempts, deps.alerts);
    this.legacyTablets = new LegacyTabletRepository(deps.dataSource, deps.repos.audit);
  }

  /** The tablet of a `/tablet` token; null when the token opens nothing. */
  async ofToken(token: string): Promise<TabletIdentity | null> {
    const tablet = await this.deps.repos.credentials.findTabletByToken(hashToken(token));
    return tablet ? { tabletId: tablet.id, machineId: tablet.machineId } : null;
  }

  /** Each tablet's `tablet:state`, read fresh, with the machine it is paired with now. Deleted tablets are missing. */
  async states(tabletIds: number[]): Promise<Map<number, { machineId: number | null; state: TabletState }>> {
    const tablets = await this.deps.repos.tabletWorkflow.findMany([...new Set(tabletIds)]);
    const built = await this.builder.build([...tablets.values()]);
    return new Map([...tablets.values()].map((t) => [t.id, { machineId: t.machineId, state: built.get(t.id)! }]));
  }

  run(tabletId: number, name: TabletCommandName, payload: unknown): Promise<CommandOutcome> {
    return this.commands.run(tabletId, name, payload);
  }

  /** A DigitME2 tablet by the `device_uuid` it made on first run; null when unknown. */
  async ofDeviceUuid(deviceUuid: string): Promise<LegacyTabletView | null> {
    const tablet = await this.legacyTablets.findByUuid(deviceUuid);
    return tablet ? legacyView(tablet) : null;
  }

  /** These tablets as the DigitME2 websocket follows them; deleted tablets are missing. */
  async legacyViews(tabletIds: number[]): Promise<Map<number, LegacyTabletView>> {
    const rows = await this.deps.repos.tabletWorkflow.findMany([...new Set(tabletIds)]);
    return new Map([...rows.values()].map((r) => [r.id, legacyView(r)]));
  }

  /** Each machine's current activity code; Down for a machine without events yet (as DigitME2). */
  async currentCodes(machineIds: number[]): Promise<Map<number, number>> {
    const states = await this.deps.repos.machineStates.current(machineIds);
    return new Map(machineIds.map((id) => [id, states.get(id)?.activityCodeId ?? BUILT_IN_CODES.down]));
  }
}

function legacyView(row: Pick<TabletRow, 'id' | 'machineId' | 'operatorId'>): LegacyTabletView {
  return { tabletId: row.id, machineId: row.machineId, operatorId: row.operatorId };
}
