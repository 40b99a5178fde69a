import type { CommittedChange } from '../../core/cluster/committed-change.js';
import type { LiveJob, LiveOperator } from '../../core/realtime/live-events.js';
import type { LiveRepository } from '../../db/repositories/live.repository.js';

/** Names are kept this long (a state change carries only ids), and at most this many of each. */
const NAME_CACHE_MS = 60_000;
const NAME_CACHE_MAX = 10_000;

/** The names a screen shows beside a machine's state: its running job and its operator. */
export interface LiveNamesOf {
  job: LiveJob | null;
  operator: LiveOperator | null;
}

/**
 * The job and operator names of `/live` state changes, remembered for a minute. A job edit or a user
 * edit, on any instance, drops the name at once (`follow`), so the next change reads it again.
 */
export class LiveNames {
  private readonly jobs: NameCache<LiveJob>;
  private readonly operators: NameCache<LiveOperator>;

  constructor(repo: LiveRepository) {
    this.jobs = new NameCache((id) => repo.job(id));
    this.operators = new NameCache((id) => repo.operator(id));
  }

  /** From memory only: undefined when a name has to be read first. */
  peek(ids: { jobId: number | null; operatorId: number | null }): LiveNamesOf | undefined {
    const job = ids.jobId === null ? null : this.jobs.peek(ids.jobId);
    const operator = ids.operatorId === null ? null : this.operators.peek(ids.operatorId);
    return job === undefined || operator === undefined ? undefined : { job, operator };
  }

  async read(ids: { jobId: number | null; operatorId: number | null }): Promise<LiveNamesOf> {
    const [job, operator] = await Promise.all([
      ids.jobId === null ? null : this.jobs.get(ids.jobId),
      ids.operatorId === null ? null : this.operators.get(ids.operatorId),
    ]);
    return { job, operator };
  }

  /** A committed change, local or remote: a job ended or edited, a user renamed or deleted. */
  follow(change: CommittedChange): void {
    if (change.kind === 'job' && change.action !== 'started') this.jobs.forget(change.jobId);
    else if (change.kind === 'setup' && change.entity === 'user') {
      if (change.id === null) this.operators.clear();
      else this.operators.forget(change.id);
    }
  }

  /** Changes may have been missed (a gap on the cluster channel). */
  clear(): void {
    this.jobs.clear();
    this.operators.clear();
  }
}

/** Names by id with a short memory (a monotonic clock: only the age matters). `peek` answers from memory only. */
class NameCache<T> {
  private readonly entries = new Map<number, { value: T | null; at: number }>();
  /** Bumped by every forget: a read that began before it must not keep what it read. */
  private generation = 0;

  constructor(private readonly load: (id: number) => Promise<T | null>) {}

  peek(id: number): T | null | undefined {
    const entry = this.entries.get(id);
    return entry && performance.now() - entry.at <= NAME_CACHE_MS ? entry.value : undefined;
  }

  async get(id: number): Promise<T | null> {
    const known = this.peek(id);
    if (known !== undefined) return known;
    const before = this.generation;
    const value = await this.load(id);
    if (this.generation !== before) return value;
    if (this.entries.size >= NAME_CACHE_MAX) this.entries.clear();
    this.entries.set(id, { value, at: performance.now() });
    return value;
  }

  forget(id: number): void {
    this.generation++;
    this.entries.delete(id);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
