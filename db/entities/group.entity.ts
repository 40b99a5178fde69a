import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('groups')
export class GroupEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Index('groups_name_unique', { unique: true })
  @Column('text')
  name: string;
}
