import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('groups')
@Check('groups_oee_target_fraction', `"oeeTarget" IS NULL OR ("oeeTarget" > 0 AND "oeeTarget" <= 1)`)
export class GroupEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Index('groups_name_unique', { unique: true })
  @Column('text')
  name: string;

  /** OEE target 0..1 of the group's machines; null = the site's. */
  @Column('double precision', { nullable: true })
  oeeTarget: number | null;
}
