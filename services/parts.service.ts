import { AppError } from '../core/errors.js';
import type { CsvSeparator } from '../core/schemas/export.schema.js';
import type {
  MachinePart,
  Part,
  PartCreate,
  PartFileFormat,
  PartImport,
  PartImportReport,
  PartUpdate,
} from '../core/schemas/parts.schema.js';
import type { PartEntity } from '../db/entities/index.js';
import type { Actor } from '../db/repositories/audit.repository.js';
import type { Repositories } from '../db/repositories/index.js';
import { hashToken } from './auth/hashing.js';
import { catalogueEntries, catalogueFile, readTable, type CatalogueRow } from './parts-file.js';

export interface PartsServiceDeps {
  repos: Pick<Repositories, 'parts' | 'credentials'>;
}

const toPart = (p: PartEntity): Part => ({
  id: p.id,
  partNumber: p.partNumber,
  name: p.name,
  idealCycleTimeSeconds: p.idealCycleTimeSeconds,
  machineId: p.machineId,
  groupId: p.groupId,
});

/**
 * The part catalogue (docs/api.md "Part catalogue"): entries for every machine, a group or one machine; what a
 * machine (or its tablet) sees; the ideal cycle time a job start by part number gets; import and export as
 * CSV or xlsx.
 */
export class PartsService {
  constructor(private readonly deps: PartsServiceDeps) {}

  async list(): Promise<Part[]> {
    return (await this.deps.repos.parts.list()).map(toPart);
  }

  async get(id: number): Promise<Part> {
    return toPart(await this.deps.repos.parts.get(id));
  }

  async create(actor: Actor, input: PartCreate): Promise<Part> {
    return toPart(await this.deps.repos.parts.create(actor, input));
  }

  async update(actor: Actor, id: number, input: PartUpdate): Promise<Part> {
    return toPart(await this.deps.repos.parts.update(actor, id, input));
  }

  delete(actor: Actor, id: number): Promise<void> {
    return this.deps.repos.parts.delete(actor, id);
  }

  /** The catalogue as the machine sees it (its own entry, else its group's, else the one for every machine). */
  async forMachine(machineId: number): Promise<MachinePart[]> {
    return this.deps.repos.parts.forMachine(await this.machine(machineId));
  }

  /**
   * The same for an operator tablet, whose token is its credential (it has no user session or API key): only
   * for the machine it is paired with.
   */
  async forTablet(token: string, machineId: number): Promise<MachinePart[]> {
    const tablet = await this.deps.repos.credentials.findTabletByToken(hashToken(token));
    if (!tablet) throw AppError.unauthenticated('Unknown tablet token');
    if (tablet.machineId !== machineId) throw AppError.forbidden('This tablet is not paired with this machine');
    return this.forMachine(machineId);
  }

  /**
   * A job start's ideal cycle time: the one given, else (with a part number) the part's for this machine. An
   * unknown machine is a 404; a part the machine does not see, a 400 naming `partNumber`.
   */
  async idealCycleTime(machineId: number, given: number | null | undefined, partNumber: string | undefined): Promise<number | null> {
    if (given !== null && given !== undefined) return given;
    if (partNumber === undefined) return null;
    const [part] = await this.deps.repos.parts.forMachine(await this.machine(machineId), partNumber);
    if (!part) {
      const message = `no part "${partNumber}" in the catalogue for this machine`;
      throw AppError.invalid(`Unknown part: ${message}`, [{ path: ['partNumber'], message }]);
    }
    return part.idealCycleTimeSeconds;
  }

  /**
   * Imports a catalogue file, all or nothing: with any error nothing is written and the report lists every
   * problem of every row, so one corrected file goes in whole (a half-applied file would leave some machines
   * on old times unnoticed). Entries are matched by part number and scope: new ones are created, those whose
   * name or time differ updated; entries missing from the file stay.
   */
  async import(actor: Actor, input: PartImport): Promise<PartImportReport> {
    const table = await readTable(input.format, input.content);
    const { entries, rows, errors, ignoredColumns } = catalogueEntries(table, await this.deps.repos.parts.scopeNames());
    const apply = errors.length === 0 && !input.dryRun;
    const counts = await this.deps.repos.parts.upsert(actor, entries, apply);
    return { imported: apply, dryRun: input.dryRun, rows, ...counts, ignoredColumns, errors };
  }

  /** The whole catalogue as a file, in the import's columns; `fileName` is `oee-monitor_parts.<format>`. */
  async export(format: PartFileFormat, separator: CsvSeparator): Promise<{ fileName: string; body: Buffer }> {
    const [parts, scopes] = await Promise.all([this.deps.repos.parts.list(), this.deps.repos.parts.scopeNames()]);
    const machines = new Map(scopes.machines.map((m) => [m.id, m.name]));
    const groups = new Map(scopes.groups.map((g) => [g.id, g.name]));
    const rows: CatalogueRow[] = parts.map((p) => [
      p.partNumber,
      p.name,
      p.idealCycleTimeSeconds,
      p.machineId === null ? null : (machines.get(p.machineId) ?? null),
      p.groupId === null ? null : (groups.get(p.groupId) ?? null),
    ]);
    return { fileName: `oee-monitor_parts.${format}`, body: await catalogueFile(format, rows, separator) };
  }

  private async machine(id: number): Promise<{ id: number; groupId: number | null }> {
    const machine = await this.deps.repos.parts.machine(id);
    if (!machine) throw AppError.notFound(`Machine ${id}`);
    return machine;
  }
}
