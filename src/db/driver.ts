// The only file that touches better-sqlite3 and pg. Everything above it sees
// one drizzle API: the SQLite-typed `Db`, which the Postgres instance is cast
// to. The stores use only what both dialects share (await-ed builders,
// `returning`, `onConflict…`), and the contract suite runs them on both.
import { AsyncLocalStorage } from 'node:async_hooks';
import { chmodSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { drizzle as drizzleSqlite, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type pg from 'pg';
import { NotFound, Unavailable } from '../core/errors.ts';
import type { ChangeFeed } from '../core/ports.ts';
import { MIGRATIONS_TABLE, statusOf, type Migration, type MigrationSession, type MigrationStatus } from './migrate.ts';
import { migrations as pgMigrations } from './migrations/pg.gen.ts';
import { migrations as sqliteMigrations } from './migrations/sqlite.gen.ts';
import * as pgSchema from './schema/pg.ts';
import * as sqliteSchema from './schema/sqlite.ts';

export type Schema = typeof sqliteSchema;
export type Db = BetterSQLite3Database<Schema>;

export type DatabaseTarget = { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string };

export interface Database {
  readonly kind: 'sqlite' | 'postgres';
  /** Reads (and nothing else) outside a transaction. On SQLite this connection is query-only. */
  readonly db: Db;
  /** The connection for a read now: the open transaction's when inside one (so it sees its own writes), else `db`. */
  current(): Db;
  readonly schema: Schema;
  readonly migrations: readonly Migration[];
  /**
   * Runs `fn` in one transaction; every write goes through here. Nested calls
   * join the outer one. `durable` makes SQLite fsync the commit
   * (synchronous=FULL) for the few writes that must survive power loss.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Exclusive, cross-process lock for the migration runner. */
  migrationLock<T>(fn: (session: MigrationSession) => Promise<T>): Promise<T>;
  migrationStatus(): Promise<MigrationStatus>;
  /** Throws Unavailable when the database cannot answer. */
  ping(): Promise<void>;
  /**
   * Fires after any committed change to the database, by this process or
   * another (SQLite: PRAGMA data_version polling; Postgres: LISTEN/NOTIFY).
   */
  readonly changes: ChangeFeed;
  /** The database server's clock (Postgres), or undefined for the embedded database. */
  serverTime(): Promise<number | undefined>;
  close(): Promise<void>;
}

export interface TransactionOptions {
  readonly durable?: boolean;
}

export interface OpenOptions {
  /** SQLite: create the file (and its folder) when missing. Only init and serve do; other commands fail with NotFound. */
  readonly create?: boolean;
  /** SQLite: milliseconds a writer waits for another process's lock. */
  readonly busyTimeoutMs?: number;
  /** Postgres: milliseconds to wait for a connection before failing. */
  readonly connectTimeoutMs?: number;
  readonly poolSize?: number;
}

export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<Database> {
  return target.kind === 'sqlite' ? openSqlite(target.path, options) : openPostgres(target.url, options);
}

// ---------------------------------------------------------------- SQLite

function openSqlite(path: string, options: OpenOptions): Database {
  if (!options.create && !existsSync(path)) throw new NotFound(`no SQLite database at ${path}: run "authflow init" (or check --data-dir)`);
  if (!existsSync(dirname(path))) throw new NotFound(`the folder for the SQLite database ${path} does not exist`);
  const busy = options.busyTimeoutMs ?? 5000;
  let writer: BetterSqlite3.Database;
  let reader: BetterSqlite3.Database;
  try {
    writer = new BetterSqlite3(path);
    chmodSync(path, 0o600);
    writer.pragma(`busy_timeout = ${busy}`);
    writer.pragma('journal_mode = WAL');
    writer.pragma('synchronous = NORMAL');
    writer.pragma('foreign_keys = ON');
    // From here on the writer never blocks the thread waiting for a lock: beginImmediate() retries asynchronously.
    writer.pragma('busy_timeout = 0');
    reader = new BetterSqlite3(path);
    reader.pragma(`busy_timeout = ${Math.min(busy, 1000)}`);
    reader.pragma('query_only = ON');
  } catch (cause) {
    throw new Unavailable(`cannot open the SQLite database ${path}: ${(cause as Error).message}`, { cause });
  }
  const pingStmt = reader.prepare('SELECT 1');
  let statusStmt: BetterSqlite3.Statement | undefined;
  const writeDb = drizzleSqlite(writer, { schema: sqliteSchema });
  const readDb = drizzleSqlite(reader, { schema: sqliteSchema });

  // SQLite has one writer; an async mutex keeps this process's transactions
  // from interleaving on the shared write connection.
  const lock = new Mutex();
  const inTx = new AsyncLocalStorage<Db>();

  const listeners = new Set<() => void>();
  const emit = () => {
    for (const l of listeners) {
      try {
        l();
      } catch {}
    }
  };
  // data_version on the reader changes whenever any connection — our writer or
  // another process — commits. A cheap PRAGMA every CHANGE_POLL_MS.
  let dataVersion = reader.pragma('data_version', { simple: true }) as number;
  let poll: NodeJS.Timeout | undefined;
  const changes: ChangeFeed = {
    subscribe(listener) {
      listeners.add(listener);
      poll ??= setInterval(() => {
        try {
          const v = reader.pragma('data_version', { simple: true }) as number;
          if (v !== dataVersion) {
            dataVersion = v;
            emit();
          }
        } catch {}
      }, CHANGE_POLL_MS).unref();
      return () => void listeners.delete(listener);
    },
  };

  const exclusive = async <T>(fn: () => Promise<T>, durable = false): Promise<T> =>
    lock.run(async () => {
      if (durable) writer.pragma('synchronous = FULL');
      try {
        await beginImmediate(writer, busy);
      } catch (e) {
        if (durable) writer.pragma('synchronous = NORMAL');
        throw e;
      }
      try {
        const result = await fn();
        writer.exec('COMMIT');
        if (durable) writer.pragma('synchronous = NORMAL');
        // Our own commits are seen at once, not at the next poll.
        if (listeners.size) emit();
        return result;
      } catch (e) {
        if (writer.inTransaction) writer.exec('ROLLBACK');
        if (durable) writer.pragma('synchronous = NORMAL');
        throw e;
      }
    });

  return {
    kind: 'sqlite',
    db: readDb,
    current: () => inTx.getStore() ?? readDb,
    schema: sqliteSchema,
    migrations: sqliteMigrations,
    transaction(fn, options) {
      const outer = inTx.getStore();
      if (outer) return fn(outer);
      return exclusive(() => inTx.run(writeDb, () => fn(writeDb)), options?.durable);
    },
    migrationLock(fn) {
      return exclusive(() =>
        fn({
          exec: async (sql) => void writer.exec(sql),
          applied: async () => appliedSqlite(writer),
          record: async (tag, hash, at) => void writer.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (tag, hash, applied_at) VALUES (?, ?, ?)`).run(tag, hash, at),
        }),
      );
    },
    async migrationStatus() {
      // /readyz asks on every call: answer from a prepared statement once the table exists.
      if (!statusStmt && appliedSqlite(reader).length) statusStmt = reader.prepare(`SELECT tag FROM ${MIGRATIONS_TABLE} ORDER BY tag`).pluck();
      return statusOf(sqliteMigrations, statusStmt ? (statusStmt.all() as string[]) : []);
    },
    async ping() {
      try {
        pingStmt.get();
      } catch (cause) {
        throw new Unavailable('the SQLite database does not answer', { cause });
      }
    },
    changes,
    async serverTime() {
      return undefined;
    },
    async close() {
      if (poll) clearInterval(poll);
      await lock.run(async () => {
        reader.close();
        writer.close();
      });
    },
  };
}

const CHANGE_POLL_MS = 250;

/**
 * Takes SQLite's write lock. Another process (the CLI, a backup) may hold it:
 * instead of SQLite's busy_timeout, which would block this whole process, wait
 * asynchronously with backoff for up to `timeoutMs`.
 */
async function beginImmediate(writer: BetterSqlite3.Database, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
    try {
      writer.exec('BEGIN IMMEDIATE');
      return;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') throw e;
      if (Date.now() >= deadline) throw new Unavailable(`the SQLite database stayed locked by another process for ${timeoutMs} ms`, { cause: e });
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

function appliedSqlite(conn: BetterSqlite3.Database): { tag: string; hash: string }[] {
  const exists = conn.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(MIGRATIONS_TABLE);
  if (!exists) return [];
  return conn.prepare(`SELECT tag, hash FROM ${MIGRATIONS_TABLE} ORDER BY tag`).all() as { tag: string; hash: string }[];
}

// ---------------------------------------------------------------- Postgres

const CHANGE_CHANNEL = 'authflow_changes';

const MIGRATION_LOCK_KEY = 0x61757468; // 'auth'

async function openPostgres(url: string, options: OpenOptions): Promise<Database> {
  // Loaded only for Postgres installs: SQLite ones (and their start-up) never pay for it.
  const { default: pgDriver } = await import('pg');
  const { drizzle: drizzlePg } = await import('drizzle-orm/node-postgres');
  const pool = new pgDriver.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    application_name: 'authflow',
  });
  // An idle client that loses its server must not crash the process.
  pool.on('error', () => {});
  const where = describePgUrl(url);
  try {
    await pool.query('SELECT 1');
  } catch (cause) {
    await pool.end().catch(() => {});
    throw new Unavailable(`cannot reach PostgreSQL at ${where}: ${(cause as Error).message || (cause as { code?: string }).code}`, { cause });
  }
  // Cast: see the note at the top of this file.
  const db = drizzlePg(pool, { schema: pgSchema }) as unknown as Db;
  const schema = pgSchema as unknown as Schema;
  const inTx = new AsyncLocalStorage<Db>();
  const applied = async (q: pg.Pool | pg.PoolClient): Promise<{ tag: string; hash: string }[]> => {
    const exists = await q.query(`SELECT to_regclass($1) AS t`, [MIGRATIONS_TABLE]);
    if (!exists.rows[0]?.t) return [];
    return (await q.query<{ tag: string; hash: string }>(`SELECT tag, hash FROM ${MIGRATIONS_TABLE} ORDER BY tag`)).rows;
  };

  const listeners = new Set<() => void>();
  let listener: pg.Client | undefined;
  let starting = false;
  let closed = false;
  const listen = async () => {
    if (starting || listener || closed) return;
    starting = true;
    // A dedicated connection outside the pool; reconnects if the server drops it.
    const client = new pgDriver.Client({ connectionString: url, connectionTimeoutMillis: options.connectTimeoutMs ?? 5000, application_name: 'authflow-listen' });
    client.on('notification', () => {
      for (const l of listeners) l();
    });
    client.on('error', () => {});
    client.on('end', () => {
      listener = undefined;
      if (!closed && listeners.size) setTimeout(() => void listen().catch(() => {}), 1000).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } finally {
      starting = false;
    }
    if (closed) await client.end();
    else {
      listener = client;
      // Changes made while we were not listening are unknown: drop caches.
      for (const l of listeners) l();
    }
  };
  const changes: ChangeFeed = {
    subscribe(l) {
      listeners.add(l);
      if (!listener) void listen().catch(() => setTimeout(() => void listen().catch(() => {}), 1000).unref());
      return () => void listeners.delete(l);
    },
  };

  return {
    kind: 'postgres',
    changes,
    db,
    current: () => inTx.getStore() ?? db,
    schema,
    migrations: pgMigrations,
    transaction(fn) {
      const outer = inTx.getStore();
      if (outer) return fn(outer);
      const run = (db as unknown as { transaction: (f: (tx: Db) => Promise<unknown>) => Promise<unknown> }).transaction;
      const committed = run.call(db, (tx) =>
        inTx.run(tx, async () => {
          const result = await fn(tx);
          // Delivered to every listening server when (and only if) the transaction commits.
          await (tx as unknown as { execute: (q: string) => Promise<unknown> }).execute(`NOTIFY ${CHANGE_CHANNEL}`);
          return result;
        }),
      ) as Promise<never>;
      // This process's caches learn of its own commits at once, not when the notification comes back.
      return committed.then((r) => {
        for (const l of listeners) {
          try {
            l();
          } catch {}
        }
        return r;
      });
    },
    async migrationLock(fn) {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        await client.query('BEGIN');
        try {
          const result = await fn({
            exec: async (sql) => void (await client.query(sql)),
            applied: () => applied(client),
            record: async (tag, hash, at) => void (await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (tag, hash, applied_at) VALUES ($1, $2, $3)`, [tag, hash, at])),
          });
          await client.query('COMMIT');
          return result;
        } catch (e) {
          await client.query('ROLLBACK').catch(() => {});
          throw e;
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
        }
      } finally {
        client.release();
      }
    },
    async migrationStatus() {
      try {
        // A named (server-side prepared) statement: /readyz asks on every call.
        const r = await pool.query<{ tag: string }>({ name: 'authflow_migration_status', text: `SELECT tag FROM ${MIGRATIONS_TABLE} ORDER BY tag` });
        return statusOf(pgMigrations, r.rows.map((row) => row.tag));
      } catch (e) {
        if ((e as { code?: string }).code === '42P01') return statusOf(pgMigrations, []); // no migrations table yet
        throw e;
      }
    },
    async ping() {
      try {
        await pool.query({ name: 'authflow_ping', text: 'SELECT 1' });
      } catch (cause) {
        throw new Unavailable(`PostgreSQL at ${where} does not answer`, { cause });
      }
    },
    async serverTime() {
      const r = await pool.query<{ ms: string }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms');
      return Number(r.rows[0]!.ms);
    },
    async close() {
      closed = true;
      await listener?.end().catch(() => {});
      await pool.end();
    },
  };
}

/** host:port/db of a Postgres URL, without credentials, for messages. */
export function describePgUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'the configured URL';
  }
}

/** A FIFO async mutex. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
