import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../../core/roles.js';

/** A bearer key for devices and scripts. Only its SHA-256 is stored; the key is shown once. */
@Entity('api_keys')
@Check('api_keys_role_valid', `"role" IN ('admin','supervisor','operator','viewer','device')`)
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Index('api_keys_name_unique', { unique: true })
  @Column('text')
  name: string;

  @Column('text')
  role: Role;

  @Index('api_keys_key_hash_unique', { unique: true })
  @Column('text')
  keyHash: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
