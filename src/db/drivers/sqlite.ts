// SQLite through better-sqlite3: a query-only reader connection and one
// writer whose transactions are serialised by an async mutex. Only this file
// and postgres.ts open database drivers (see ../driver.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import { chmodSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { NotFound, Unavailable } from '../../core/errors.ts';
import type { ChangeFeed } from '../../core/ports.ts';
import type { Database, Db, OpenOptions } from '../driver.ts';
import { MIGRATIONS_TABLE, statusOf } from '../migrate.ts';
import { migrations as sqliteMigrations } from '../migrations/sqlite.gen.ts';
import * as sqliteSchema from '../schema/sqlite.ts';

export function openSqlite(path: string, options: OpenOptions): Database {
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
  const inTx = new AsyncLocalStorage<TxContext>();

  const listeners = new Set<() => void>();
  const emit = () => {
    for (const l of listeners) {
      try {
        l();
      } catch {}
    }
  };
  // data_version on the reader changes whenever any connection — our writer or
  // another process — commits; a configuration change also bumps user_version
  // (a counter in the file header). Two cheap PRAGMAs every CHANGE_POLL_MS.
  let dataVersion = reader.pragma('data_version', { simple: true }) as number;
  let configVersion = reader.pragma('user_version', { simple: true }) as number;
  let poll: NodeJS.Timeout | undefined;
  const changes: ChangeFeed = {
    subscribe(listener) {
      listeners.add(listener);
      poll ??= setInterval(() => {
        try {
          const v = reader.pragma('data_version', { simple: true }) as number;
          if (v === dataVersion) return;
          dataVersion = v;
          const c = reader.pragma('user_version', { simple: true }) as number;
          if (c !== configVersion) {
            configVersion = c;
            emit();
          }
        } catch {}
      }, CHANGE_POLL_MS).unref();
      return () => void listeners.delete(listener);
    },
  };

  const exclusive = async <T>(fn: (ctx: TxContext) => Promise<T>, durable = false, config = false): Promise<T> =>
    lock.run(async () => {
      if (durable) writer.pragma('synchronous = FULL');
      try {
        await beginImmediate(writer, busy);
      } catch (e) {
        if (durable) writer.pragma('synchronous = NORMAL');
        throw e;
      }
      try {
        const ctx: TxContext = { db: writeDb, config };
        const result = await fn(ctx);
        if (ctx.config) {
          // Other processes notice the bump; this one already knows (so the poll does not fire twice).
          configVersion = ((writer.pragma('user_version', { simple: true }) as number) + 1) % 2_000_000_000;
          writer.pragma(`user_version = ${configVersion}`);
        }
        writer.exec('COMMIT');
        if (durable) writer.pragma('synchronous = NORMAL');
        // Our own configuration changes are seen at once, not at the next poll.
        if (ctx.config && listeners.size) emit();
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
    current: () => inTx.getStore()?.db ?? readDb,
    schema: sqliteSchema,
    migrations: sqliteMigrations,
    transaction(fn, options) {
      const outer = inTx.getStore();
      if (outer) {
        if (options?.config) outer.config = true;
        return fn(outer.db);
      }
      return exclusive((ctx) => inTx.run(ctx, () => fn(ctx.db)), options?.durable, options?.config);
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

/** The open transaction: its connection, and whether it changed cached configuration. */
interface TxContext {
  readonly db: Db;
  config: boolean;
}

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
