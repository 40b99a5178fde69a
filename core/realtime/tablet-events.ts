/**
 * The `/tablet` Socket.IO namespace (docs/api.md): what the server pushes to an operator tablet and the
 * commands a tablet sends. Types only (plus two tiny constants), so the tablet page can import it
 * without pulling zod into the browser; the server validates payloads with `core/schemas/tablet.schema.ts`.
 */
import type { Ack } from './ack.js';
import type { Category, JobStartInputType, WorkflowType } from '../schemas/setup.schema.js';

export const TABLET_NAMESPACE = '/tablet';

/** Every tablet socket joins the room of its machine; changes of the machine are pushed there. */
export function tabletMachineRoom(machineId: number): string {
  return `machine:${machineId}`;
}

/** …and the room of its own tablet (re-pairing, revocation). */
export function tabletRoom(tabletId: number): string {
  return `tablet:${tabletId}`;
}

/** A code the tablet offers: active, and not excluded by the machine. */
export interface TabletCode {
  id: number;
  shortDescription: string;
  colour: string;
  category: Category;
}

/** One field of the start-job screen, in the machine's `jobStartInputType`. `key` is the field of `job:start`'s `input`. */
export interface TabletJobStartField {
  key: 'value' | 'plannedQuantity' | 'plannedTimeMinutes';
  label: string;
  /** Shown next to the field: "s per part", "parts/h", "min", … */
  unit: string;
}

export interface TabletJob {
  id: number;
  jobNumber: string;
  /** ISO time. */
  start: string;
  idealCycleTimeSeconds: number | null;
  good: number;
  rejects: number;
  /**
   * Seconds the machine has run in this job, as of `serverTime`: its `running` time from the job's start,
   * micro-stops included, inside planned windows and as overtime alike: the job's run time as performance
   * counts it (docs/oee.md "The time elements"). While the machine runs, the tablet adds the seconds since
   * `serverTime`. The target is `runSeconds / idealCycleTimeSeconds` parts (the parts an ideal machine
   * would have made in that time), compared with good + rejects. null when it could not be computed.
   */
  runSeconds: number | null;
}

/** The current shift's OEE of the machine (docs/oee.md "The factors"), fractions 0..1; null = no data. */
export interface TabletShiftOee {
  /** ISO: the shift (or, without a shift pattern, the local day) the figures are for. */
  from: string;
  to: string;
  oee: number | null;
  availability: number | null;
  performance: number | null;
  quality: number | null;
}

/** Everything a tablet shows; pushed on connect and after every change of its machine, from any source. */
export interface TabletState {
  /** The server's clock when this was sent (ISO): tablets stamp queued commands with a corrected clock. */
  serverTime: string;
  /** The site's IANA zone: the tablet shows and reads clock times in site time, whatever its own zone. */
  timezone: string;
  tablet: { id: number; name: string };
  /** null: the tablet is not paired with a machine yet (an admin sets its machine). */
  machine: { id: number; name: string } | null;
  workflowType: WorkflowType;
  /** The operator signed in on this tablet. */
  operator: { id: number; username: string } | null;
  /** The job running now. */
  job: TabletJob | null;
  /** The shift's OEE while a job runs; null without a job, or when it could not be computed. */
  shiftOee: TabletShiftOee | null;
  /** The machine's current code; null before its first event. */
  current: { activityCodeId: number; category: Category; since: string } | null;
  codes: TabletCode[];
  /** The code a new job starts in (so an offline tablet can show a job it started). */
  jobStartActivityCodeId: number;
  jobNumberInputType: 'text' | 'number';
  jobStartInputType: JobStartInputType;
  jobStartFields: TabletJobStartField[];
  /** Pre-filled in the `value` field of the job start (the machine's autofill); null: it starts empty. */
  jobStartAutofill: number | null;
  /** pausable machines: a job runs and the current code is a stop. */
  paused: boolean;
  /** running_total machines with a job: when the last count was made (or the job started). */
  runningTotal: { lastUpdate: string; updateFrequencySeconds: number } | null;
  /**
   * Stops of the machine that still owe a reason (docs/oee.md "The reason queue"), newest first: the tablet
   * prompts for them, and `reason:give` answers one.
   */
  reasonQueue: TabletReasonDebt[];
  /**
   * The machine's open alerts (docs/alerts.md), the ones nobody acknowledged first, then the highest level,
   * then the newest: the tablet shows them and `alert:acknowledge` / `alert:resolve` act on one.
   */
  alerts: TabletAlert[];
}

/** An open alert of the tablet's machine. */
export interface TabletAlert {
  id: number;
  ruleName: string;
  /** The level of the escalation ladder reached (1..3). */
  level: number;
  /** ISO: when the alert's condition began (the stop's start for stop rules). */
  since: string;
  /** ISO, or null while nobody has acknowledged it. */
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

/** A stop that owes a reason: [start, end) with a generic code (Down or No data). */
export interface TabletReasonDebt {
  start: string;
  end: string;
  activityCodeId: number;
  plannedSeconds: number;
}

/** Every command may carry these: `eventId` makes a replay harmless, `at` keeps a queued command's time. */
export interface CommandMeta {
  eventId?: string;
  /** ISO-8601 with an offset; defaults to the time the server receives the command. */
  at?: string;
}

export interface TabletCommands {
  'operator:sign-in': { userId: number; pin: string };
  'operator:sign-out': Record<string, never>;
  /**
   * `start` (ISO): when the job really began, for a job started late; not after the command's `at`, not
   * before the machine's current state began (older history is a supervisor's correction), and inside the
   * site's live window. Without it the job starts at `at`.
   */
  'job:start': {
    jobNumber: string | number;
    input?: { value?: number; plannedQuantity?: number; plannedTimeMinutes?: number };
    start?: string;
  };
  'activity:set': { activityCodeId: number };
  'production:record': { good: number; rejects: number };
  'job:end': { good: number; rejects: number };
  'job:pause': Record<string, never>;
  /** `reason`: a stop code that relabels the pause from its start; `notes` are appended to the job's notes. */
  'job:resume': { reason?: number; notes?: string };
  /** Gives a stop of `reasonQueue` its reason (a stop code): a correction of [from, to) with the operator as author. */
  'reason:give': { from: string; to: string; activityCodeId: number };
  /** Acknowledges an open alert of the machine (stops its ladder); repeating it keeps the first acknowledgement. */
  'alert:acknowledge': { alertId: number; note?: string };
  /** Resolves an alert of the machine (acknowledging it too when nobody had); repeating it changes nothing. */
  'alert:resolve': { alertId: number; note?: string };
}
export type TabletCommandName = keyof TabletCommands;
export type TabletCommandPayload<N extends TabletCommandName> = TabletCommands[N] & CommandMeta;

export const TABLET_COMMANDS: readonly TabletCommandName[] = [
  'operator:sign-in',
  'operator:sign-out',
  'job:start',
  'activity:set',
  'production:record',
  'job:end',
  'job:pause',
  'job:resume',
  'reason:give',
  'alert:acknowledge',
  'alert:resolve',
];

/** `duplicate`: the eventId was already applied, so nothing changed. */
export interface CommandResult {
  duplicate: boolean;
}

/** The ack of every tablet command. */
export type TabletAck = Ack<CommandResult>;

export type TabletServerToClientEvents = {
  'tablet:state': (state: TabletState) => void;
};

export type TabletClientToServerEvents = {
  [N in TabletCommandName]: (payload: TabletCommandPayload<N>, ack: (answer: TabletAck) => void) => void;
};

/** Why a connection was refused (`connect_error`'s message). */
export const TABLET_UNKNOWN_TOKEN = 'unknown_tablet_token';
