/**
 * Namespace `/live` (wall screens, docs/api.md "Socket.IO"): event names, payloads and room names, typed
 * once for the server and the web app. Plain types and constants only, no zod, so the wall page's
 * bundle stays small; the server validates with the schemas in `live-events.schema.ts`.
 */
import type { DateFormat } from '../calendar/site-format.js';
import type { OeeResult } from '../oee/oee-types.js';
import type { AlertRuleKind } from '../schemas/alerts.schema.js';
import type { MachineState } from '../schemas/setup.schema.js';
import type { Category } from '../vocabulary.js';
import type { Ack } from './ack.js';

export type { OeeResult };

export const LIVE_NAMESPACE = '/live';

/** Every screen watches exactly one scope: the whole site, or one group. */
export function siteRoom(): string {
  return 'site';
}

export function groupRoom(groupId: number): string {
  return `group:${groupId}`;
}

/** The room of a scope: `null` = the whole site. */
export function scopeRoom(groupId: number | null): string {
  return groupId === null ? siteRoom() : groupRoom(groupId);
}

/** The rooms that may see a machine of `groupId` (a machine without a group: the site only). */
export function roomsOfMachine(groupId: number | null): string[] {
  return groupId === null ? [siteRoom()] : [siteRoom(), groupRoom(groupId)];
}

export interface LiveJob {
  id: number;
  jobNumber: string;
  start: string;
  idealCycleTimeSeconds: number | null;
}

export interface LiveOperator {
  id: number;
  /** The operator's user name. */
  name: string;
}

/** One element of `machines:snapshot` (docs/api.md: `{machineId, name, groupId, state, job, operator, oee}`). */
export interface LiveMachine {
  machineId: number;
  name: string;
  groupId: number | null;
  /** The same `state` as the HTTP machine reads (`machineStateSchema`, core/schemas/setup.schema.ts). */
  state: MachineState;
  job: LiveJob | null;
  operator: LiveOperator | null;
  /** The current shift's OEE (the current local day for 24/7 machines); null when it could not be computed. */
  oee: OeeResult | null;
  /** The machine's effective OEE target, 0..1 (machine, else group, else site: docs/oee.md "Targets"). */
  oeeTarget: number;
}

export interface LiveActivityCode {
  id: number;
  shortDescription: string;
  category: Category;
  /** `#RRGGBB`. */
  colour: string;
}

export interface LiveGroup {
  id: number;
  name: string;
}

/**
 * Second argument of `machines:snapshot` (an extension of docs/api.md: the first argument is exactly its
 * array). What a screen needs to draw the machines without calling the REST API, which a kiosk
 * token cannot.
 */
export interface LiveSnapshotMeta {
  /** The scope of this snapshot: null = the whole site. */
  groupId: number | null;
  /** Server time when the snapshot was read, so a screen with a wrong clock still ticks right. */
  serverTime: string;
  activityCodes: LiveActivityCode[];
  /** The groups this socket may see. */
  groups: LiveGroup[];
  /** The site's IANA zone: every time on a screen is site time, whatever the TV's own zone. */
  timezone: string;
  /** Minutes after which a stop of a category flags its tile (site setting); absent or null = never. */
  longStopMinutes: Partial<Record<Category, number | null>>;
  /** How the screen writes dates (site setting, core/calendar/site-format.ts). */
  dateFormat: DateFormat;
  /** The open alerts of the scope's machines whose rule shows on the wall (docs/alerts.md "Wall"). */
  alerts: LiveAlert[];
}

/** An open alert as the wall shows it: on its machine's tile and in the banner. */
export interface LiveAlert {
  id: number;
  machineId: number;
  machineName: string;
  ruleName: string;
  kind: AlertRuleKind;
  /** The rung of the ladder reached (1..3). */
  level: number;
  /** When the stop (or condition) began: the wall counts the minutes from here. */
  stopStart: string;
  detectedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

/**
 * `alert:changed` (extension, issue 20): an alert was raised, escalated, acknowledged or resolved.
 * `alert` null: it is off the wall (resolved, or its rule does not show on the wall).
 */
export interface LiveAlertChanged {
  alertId: number;
  machineId: number;
  alert: LiveAlert | null;
}

/**
 * `machine:state-changed`: docs/api.md's `{machineId, activityCodeId, category, since, jobId, operatorId,
 * offShift}`, plus the running job and the operator, so a screen can name them.
 */
export interface MachineStateChanged extends MachineState {
  machineId: number;
  job: LiveJob | null;
  operator: LiveOperator | null;
}

/** `machine:oee-updated`: the current shift's OEE (docs/oee.md result), at least once a minute and after changes. */
export interface MachineOeeUpdated {
  machineId: number;
  shift: OeeResult;
}

/** One state interval of a machine's day on the group timeline (end null = still open). */
export interface LiveTimelineInterval {
  start: string;
  end: string | null;
  activityCodeId: number;
  category: Category;
}

/**
 * Answer of `timeline:today` (extension, issue 18): the intervals of every machine of the socket's
 * scope over the site-local day so far, for the full-screen group timeline (`/wall/timeline`).
 */
export interface LiveTimeline {
  /** Site-local midnight and the next one (ISO). */
  from: string;
  to: string;
  serverTime: string;
  machines: { machineId: number; intervals: LiveTimelineInterval[]; truncated: boolean }[];
}

export interface GroupWatchRequest {
  /** A group id, or null for the whole site (not for a kiosk token pinned to a group). */
  groupId: number | null;
}

export interface GroupWatchResult {
  groupId: number | null;
}

/** Handshake `auth` of `/live`: a kiosk token or an API key; `groupId` narrows at connect (extension). */
export interface LiveHandshakeAuth {
  token?: string;
  groupId?: number | null;
}

/**
 * Server → client. A `machines:snapshot` follows every connect and every `group:watch`, and whenever
 * machines, groups or codes were edited. Changes committed while a snapshot is read may arrive just
 * before it: a client re-applies the changes it got since it asked, when newer (`since`) than the snapshot.
 */
export interface LiveServerToClientEvents {
  'machines:snapshot': (machines: LiveMachine[], meta: LiveSnapshotMeta) => void;
  'machine:state-changed': (change: MachineStateChanged) => void;
  'machine:oee-updated': (update: MachineOeeUpdated) => void;
  'alert:changed': (change: LiveAlertChanged) => void;
}

export interface LiveClientToServerEvents {
  'group:watch': (request: GroupWatchRequest, ack: (result: Ack<GroupWatchResult>) => void) => void;
  /** Today's intervals of the scope's machines; later changes come as `machine:state-changed`. */
  'timeline:today': (request: Record<string, never>, ack: (result: Ack<LiveTimeline>) => void) => void;
}
