import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { MachineEntity } from './machine.entity.js';

/**
 * A data source's last contact for one machine (docs/oee.md "No data"): the sender label of core/live-window
 * (`api-key:3`, `tablet:2`, `legacy-device`, ...) and the machine it wrote for. Written in batches by
 * services/andon/contacts.ts, never on the write path itself.
 */
@Entity('data_sources')
export class DataSourceEntity {
  @PrimaryColumn('text')
  sender: string;

  @PrimaryColumn('int')
  machineId: number;

  @ManyToOne(() => MachineEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'machineId' })
  machine?: MachineEntity;

  @Column('timestamptz')
  lastContactAt: Date;
}
