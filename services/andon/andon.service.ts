import { AppError } from '../../core/errors.js';
import type { Sender } from '../../core/live-window.js';
import type { DataSourceView } from '../../core/schemas/andon.schema.js';
import type { AndonRepository } from '../../db/repositories/andon.repository.js';
import type { ContactSink } from './contacts.js';

/** Heartbeats and the admin's list of data sources (docs/api.md "Data sources"). */
export class AndonService {
  constructor(
    private readonly deps: {
      repo: Pick<AndonRepository, 'machineExists' | 'dataSources' | 'senderNames'>;
      contacts: ContactSink;
    },
  ) {}

  /** A device saying it is alive: a contact, nothing else (no state, no row on the write path). */
  async heartbeat(machineId: number, sender: Sender, source: string): Promise<void> {
    if (!(await this.deps.repo.machineExists(machineId))) throw AppError.notFound(`Machine ${machineId}`);
    this.deps.contacts.touch(sender.label, machineId, source);
  }

  async dataSources(): Promise<{ sources: DataSourceView[] }> {
    const rows = await this.deps.repo.dataSources();
    const idsOf = (prefix: string) =>
      [...new Set(rows.filter((r) => r.sender.startsWith(prefix)).map((r) => Number(r.sender.slice(prefix.length))))].filter(
        Number.isInteger,
      );
    const names = await this.deps.repo.senderNames(idsOf('api-key:'), idsOf('tablet:'));
    return {
      sources: rows.map((r) => ({
        sender: r.sender,
        kind: senderKind(r.sender),
        name: names.get(r.sender) ?? null,
        machineId: r.machineId,
        machineName: r.machineName,
        lastContactAt: new Date(r.lastContactAt).toISOString(),
        heartbeatSeconds: r.heartbeatSeconds,
      })),
    };
  }
}

function senderKind(sender: string): DataSourceView['kind'] {
  if (sender.startsWith('api-key:')) return 'api-key';
  if (sender.startsWith('tablet:')) return 'tablet';
  if (sender === 'legacy-device') return 'digitme2';
  if (sender.startsWith('mqtt:')) return 'mqtt';
  return 'user';
}
