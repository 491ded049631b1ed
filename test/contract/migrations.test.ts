import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyMigrations, type Database } from '../../src/db/index.ts';
import type { Migration } from '../../src/db/migrate.ts';
import { DIALECTS, openHarness, startChild, type Dialect, type Harness } from '../helpers/contract.ts';

const MIGRATE_CHILD = fileURLToPath(new URL('./fixtures/migrate-child.ts', import.meta.url));

/** The same database as seen by a build with another migration list (an older or newer binary). */
function withMigrations(database: Database, migrations: readonly Migration[]): Database {
  return { ...database, migrations };
}

/** Runs `fn` on a fresh database of `dialect`, closed and dropped afterwards. */
async function withHarness(dialect: Dialect, options: { migrate?: boolean }, fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await openHarness(dialect, options);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

const extra = (tag: string, statements: string[]): Migration => ({ tag, when: Date.now(), hash: `hash-of-${tag}`, statements });

/** Tags recorded in the migrations table, read under the migration lock. */
const recordedTags = async (database: Database) => (await database.migrationLock((s) => s.applied())).map((r) => r.tag);

/** Resolves true when `sql` runs (e.g. the table it reads exists). */
const runs = (database: Database, sql: string) =>
  database.migrationLock((s) => s.exec(sql)).then(
    () => true,
    () => false,
  );

/**
 * The same build's migrations, with a slow no-op first, so whoever runs them
 * holds the migration lock long enough for the other racer to run into it.
 */
function slowed(database: Database): Database {
  const pause = database.kind === 'sqlite' ? 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000) SELECT count(*) FROM c' : 'SELECT pg_sleep(0.3)';
  return withMigrations(
    database,
    database.migrations.map((m, i) => (i === 0 ? { ...m, statements: [pause, ...m.statements] } : m)),
  );
}

/**
 * Races this process (on its own, newly opened handle) against another process
 * applying the migrations to the same SQLite file; returns what each applied.
 */
async function raceWithAnotherProcess(h: Harness): Promise<string[][]> {
  const child = startChild(MIGRATE_CHILD, [JSON.stringify(h.target)]);
  try {
    const mine = slowed(await h.openAnother());
    await child.line('ready');
    child.send('go\n');
    const [here, there] = await Promise.all([applyMigrations(mine), child.line('')]);
    expect(there).toMatch(/^applied /);
    expect(await child.exited).toBe(0);
    return [here, JSON.parse(there.slice('applied '.length)) as string[]];
  } finally {
    child.kill();
  }
}

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  it.concurrent('apply on an empty database: everything pending first, everything applied after', () =>
    withHarness(dialect, { migrate: false }, async (h) => {
      const tags = h.database.migrations.map((m) => m.tag);
      expect(tags.length).toBeGreaterThan(0);
      expect(await h.database.migrationStatus()).toEqual({ applied: [], pending: tags, unknown: [] });

      expect(await applyMigrations(h.database)).toEqual(tags);

      expect(await h.database.migrationStatus()).toEqual({ applied: tags, pending: [], unknown: [] });
      expect(await h.repo.tenants.count()).toBe(0);
    }),
  );

  it.concurrent('are idempotent: a second run applies nothing and records nothing twice', () =>
    withHarness(dialect, { migrate: false }, async (h) => {
      const tags = h.database.migrations.map((m) => m.tag);
      await applyMigrations(h.database);
      expect(await applyMigrations(h.database)).toEqual([]);
      expect(await applyMigrations(h.database)).toEqual([]);
      expect(await recordedTags(h.database)).toEqual(tags);
      expect(await h.database.migrationStatus()).toEqual({ applied: tags, pending: [], unknown: [] });
    }),
  );

  it.concurrent('show a migration applied by a newer build as unknown to this one', () =>
    withHarness(dialect, {}, async (h) => {
      const tags = h.database.migrations.map((m) => m.tag);
      const newer = withMigrations(h.database, [...h.database.migrations, extra('9999_newer', ['CREATE TABLE t_newer (id text)'])]);

      // A newer binary applies only its own new migration...
      expect(await applyMigrations(newer)).toEqual(['9999_newer']);
      expect(await runs(h.database, 'SELECT id FROM t_newer')).toBe(true);

      // ...and this (older) build now sees a database newer than itself.
      expect(await h.database.migrationStatus()).toEqual({ applied: tags, pending: [], unknown: ['9999_newer'] });
      // An older binary never undoes or re-applies anything.
      expect(await applyMigrations(h.database)).toEqual([]);
    }),
  );

  it.concurrent('report pending when the database lags behind the build', () =>
    withHarness(dialect, { migrate: false }, async (h) => {
      const tags = h.database.migrations.map((m) => m.tag);
      // An older build (no migrations yet) ran first: only the bookkeeping table exists.
      expect(await applyMigrations(withMigrations(h.database, []))).toEqual([]);
      expect(await h.database.migrationStatus()).toEqual({ applied: [], pending: tags, unknown: [] });
    }),
  );

  it.concurrent('roll a failing migration back completely and do not record it', () =>
    withHarness(dialect, {}, async (h) => {
      const broken = withMigrations(h.database, [...h.database.migrations, extra('9999_broken', ['CREATE TABLE t_partial (id text)', 'THIS IS NOT SQL'])]);
      await expect(applyMigrations(broken)).rejects.toThrow();
      expect(await runs(h.database, 'SELECT id FROM t_partial')).toBe(false);
      expect(await recordedTags(h.database)).toEqual(h.database.migrations.map((m) => m.tag));
    }),
  );

  // docs/operations.md: "migrations under an advisory lock" — several servers starting
  // together on one database must each see the schema once, and no start fails.
  // SQLite's lock is a file lock waited for by a blocking busy wait, so the other
  // racer is a real process; Postgres's advisory lock is per session, so two pools
  // in this process suffice.
  it.concurrent('racing from two separately opened handles: both succeed, each migration applied and recorded once', () =>
    withHarness(dialect, { migrate: false }, async (h) => {
      const tags = h.database.migrations.map((m) => m.tag);
      const applied = dialect === 'sqlite' ? await raceWithAnotherProcess(h) : await Promise.all([applyMigrations(slowed(await h.openAnother())), applyMigrations(await h.openAnother())]);
      expect(applied.filter((a) => a.length > 0)).toEqual([tags]);
      expect(applied.flat()).toEqual(tags);
      expect(await recordedTags(h.database)).toEqual(tags);
      expect(await h.database.migrationStatus()).toEqual({ applied: tags, pending: [], unknown: [] });
    }),
  );
});
