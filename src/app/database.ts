import type { Config } from '../config/index.ts';
import { applyMigrations, openDatabase, type MigrationStatus } from '../db/index.ts';

/** Applies pending migrations to the configured database; returns what was applied and the resulting status. */
export async function migrateDatabase(config: Config): Promise<{ kind: 'sqlite' | 'postgres'; applied: string[]; status: MigrationStatus }> {
  const database = await openDatabase(config.database);
  try {
    const applied = await applyMigrations(database);
    return { kind: database.kind, applied, status: await database.migrationStatus() };
  } finally {
    await database.close();
  }
}

/** Reports which migrations the configured database has, without changing it. */
export async function databaseStatus(config: Config): Promise<{ kind: 'sqlite' | 'postgres'; status: MigrationStatus }> {
  const database = await openDatabase(config.database);
  try {
    return { kind: database.kind, status: await database.migrationStatus() };
  } finally {
    await database.close();
  }
}
