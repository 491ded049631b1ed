import { Unavailable } from '../core/errors.ts';
import type { Database } from './driver.ts';

/** One embedded migration (see scripts/embed-migrations.ts). */
export interface Migration {
  readonly tag: string;
  readonly when: number;
  readonly hash: string;
  readonly statements: readonly string[];
}

export interface MigrationStatus {
  readonly applied: readonly string[];
  readonly pending: readonly string[];
  /** Applied in the database but unknown to this build: the database is newer than the binary. */
  readonly unknown: readonly string[];
}

export const MIGRATIONS_TABLE = 'authflow_migrations';

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (tag text PRIMARY KEY NOT NULL, hash text NOT NULL, applied_at bigint NOT NULL)`;

/** Raw SQL access to one connection, provided by the driver for the migration runner. */
export interface MigrationSession {
  exec(sql: string): Promise<void>;
  /** Applied migrations with the hash recorded when each was applied. */
  applied(): Promise<{ tag: string; hash: string }[]>;
  record(tag: string, hash: string, at: number): Promise<void>;
}

export function statusOf(list: readonly Migration[], applied: readonly string[]): MigrationStatus {
  const known = new Set(list.map((m) => m.tag));
  const done = new Set(applied);
  return {
    applied: list.filter((m) => done.has(m.tag)).map((m) => m.tag),
    pending: list.filter((m) => !done.has(m.tag)).map((m) => m.tag),
    unknown: applied.filter((t) => !known.has(t)),
  };
}

/**
 * Applies pending migrations inside the driver's exclusive lock (SQLite:
 * BEGIN IMMEDIATE; Postgres: an advisory lock plus a transaction), so servers
 * and CLIs starting together apply each migration exactly once.
 */
export async function applyMigrations(db: Database, now: () => number = Date.now): Promise<string[]> {
  return db.migrationLock(async (session) => {
    await session.exec(CREATE_TABLE);
    const done = await session.applied();
    // An applied migration must never change: a different hash means this build and the database disagree.
    for (const { tag, hash } of done) {
      const m = db.migrations.find((x) => x.tag === tag);
      if (m && m.hash !== hash) throw new Unavailable(`migration ${tag} in this build differs from the one applied to the database; use the build that applied it`);
    }
    const status = statusOf(db.migrations, done.map((d) => d.tag));
    const applied: string[] = [];
    for (const m of db.migrations) {
      if (!status.pending.includes(m.tag)) continue;
      for (const statement of m.statements) await session.exec(statement);
      await session.record(m.tag, m.hash, now());
      applied.push(m.tag);
    }
    return applied;
  });
}

export { CREATE_TABLE as CREATE_MIGRATIONS_TABLE };
