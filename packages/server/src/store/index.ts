export type * from './types.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
export { MIGRATIONS, type Migration } from './migrations.js';
