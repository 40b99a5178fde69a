import type { DataSource } from 'typeorm';
import type { SetupEntity } from '../../core/cluster/committed-change.js';
import type { Site } from '../../core/schemas/setup.schema.js';
import { SiteSettingsEntity } from '../entities/index.js';
import type { Actor, AuditRepository } from './audit.repository.js';

export class SiteRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRepository,
    private readonly onChange: (entity: SetupEntity, id: number) => void = () => undefined,
  ) {}

  async get(): Promise<Site> {
    const row = await this.dataSource.manager.findOneByOrFail(SiteSettingsEntity, { id: 1 });
    return {
      timezone: row.timezone,
      microStopSeconds: row.microStopSeconds,
      liveWindowDays: row.liveWindowDays,
      longStopMinutes: row.longStopMinutes,
      publicUrl: row.publicUrl,
      dateFormat: row.dateFormat,
      reasonPromptMinutes: row.reasonPromptMinutes,
      oeeTarget: row.oeeTarget,
    };
  }

  async put(actor: Actor, site: Site): Promise<Site> {
    const saved = await this.dataSource.transaction(async (tx) => {
      const before = await tx.findOneByOrFail(SiteSettingsEntity, { id: 1 });
      const next = {
        ...site,
        liveWindowDays: site.liveWindowDays ?? before.liveWindowDays,
        longStopMinutes: site.longStopMinutes ?? before.longStopMinutes,
        publicUrl: site.publicUrl === undefined ? before.publicUrl : site.publicUrl,
        dateFormat: site.dateFormat ?? before.dateFormat,
        reasonPromptMinutes: site.reasonPromptMinutes ?? before.reasonPromptMinutes,
        oeeTarget: site.oeeTarget ?? before.oeeTarget,
      };
      await tx.update(SiteSettingsEntity, { id: 1 }, next);
      await this.audit.record(tx, actor, {
        action: 'site.update',
        entity: 'site',
        entityId: 1,
        before: {
          timezone: before.timezone,
          microStopSeconds: before.microStopSeconds,
          liveWindowDays: before.liveWindowDays,
          longStopMinutes: before.longStopMinutes,
          publicUrl: before.publicUrl,
          dateFormat: before.dateFormat,
          reasonPromptMinutes: before.reasonPromptMinutes,
          oeeTarget: before.oeeTarget,
        },
        after: next,
      });
      return next;
    });
    this.onChange('site', 1);
    return saved;
  }
}
