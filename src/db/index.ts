export { openDatabase, describePgUrl, type Database, type DatabaseTarget, type OpenOptions } from './driver.ts';
export { applyMigrations, type MigrationStatus } from './migrate.ts';
export { createRepository } from './stores/index.ts';
export { DatabaseError } from './stores/internal/errors.ts';
