// The database seam. Everything above it sees one drizzle API: the
// SQLite-typed `Db`, which the Postgres instance is cast to. The stores use
// only what both dialects share (await-ed builders, `returning`,
// `onConflict…`), and the contract suite runs them on both. Only the files in
// ./drivers open database drivers (better-sqlite3, pg).
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { ChangeFeed } from '../core/ports.ts';
import { openPostgres } from './drivers/postgres.ts';
import { openSqlite } from './drivers/sqlite.ts';
import type { Migration, MigrationSession, MigrationStatus } from './migrate.ts';
import type * as sqliteSchema from './schema/sqlite.ts';

export type Schema = typeof sqliteSchema;
export type Db = BetterSQLite3Database<Schema>;

/** Which database to open: a SQLite file or a Postgres URL (the config resolves it, src/config/load.ts). */
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
   * Fires after a committed configuration change (see TransactionOptions.config),
   * by this process or another (SQLite: PRAGMA data_version, then the
   * user_version counter such transactions bump; Postgres: LISTEN/NOTIFY).
   */
  readonly changes: ChangeFeed;
  /** The database server's clock (Postgres), or undefined for the embedded database. */
  serverTime(): Promise<number | undefined>;
  close(): Promise<void>;
}

export interface TransactionOptions {
  readonly durable?: boolean;
  /**
   * The transaction changes configuration the servers cache (tenants,
   * clients, signing keys, API keys): on commit, the change feed fires here
   * and in every other process. Other writes (tokens, sessions) do not.
   * A nested call with `config` marks the outer transaction.
   */
  readonly config?: boolean;
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

export { describePgUrl } from './drivers/postgres.ts';
