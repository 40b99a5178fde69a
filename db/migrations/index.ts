import { Init1795591844951 } from './1795591844951-Init.js';

// Every migration, in order. `npm run db:migration:generate -- Name` writes a new file; add it here.
export const migrations = [Init1795591844951];
