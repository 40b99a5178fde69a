import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { GroupEntity } from './group.entity.js';
import { MachineEntity } from './machine.entity.js';

/**
 * An entry of the part catalogue (docs/api.md "Part catalogue"): a part number's name and ideal cycle time for
 * every machine (machineId and groupId null), for the machines of one group, or for one machine. One entry per
 * part number and scope (three partial unique indexes, as NULLs are distinct in a plain one). An entry goes
 * with its machine or group when that is deleted.
 */
@Entity('parts')
@Check('parts_one_scope', `"machineId" IS NULL OR "groupId" IS NULL`)
@Check('parts_ideal_cycle_time_positive', `"idealCycleTimeSeconds" > 0`)
@Index('parts_number_all_unique', ['partNumber'], { unique: true, where: '"machineId" IS NULL AND "groupId" IS NULL' })
@Index('parts_number_machine_unique', ['partNumber', 'machineId'], { unique: true, where: '"machineId" IS NOT NULL' })
@Index('parts_number_group_unique', ['partNumber', 'groupId'], { unique: true, where: '"groupId" IS NOT NULL' })
export class PartEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column('text')
  partNumber: string;

  @Column('text', { default: '' })
  name: string;

  /** Seconds per part, 12 significant digits (core/schemas/parts.schema.ts). */
  @Column('double precision')
  idealCycleTimeSeconds: number;

  @Column('int', { nullable: true })
  machineId: number | null;

  @ManyToOne(() => MachineEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'machineId' })
  machine?: MachineEntity;

  @Column('int', { nullable: true })
  groupId: number | null;

  @ManyToOne(() => GroupEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'groupId' })
  group?: GroupEntity;
}
