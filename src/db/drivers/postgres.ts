// PostgreSQL through pg (loaded only for Postgres installs). The drizzle
// instance is cast to the SQLite-typed Db: see the note in ../driver.ts.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { Unavailable } from '../../core/errors.ts';
import type { ChangeFeed } from '../../core/ports.ts';
import type { Database, Db, OpenOptions, Schema } from '../driver.ts';
import { MIGRATIONS_TABLE, statusOf } from '../migrate.ts';
import { migrations as pgMigrations } from '../migrations/pg.gen.ts';
import * as pgSchema from '../schema/pg.ts';

const CHANGE_CHANNEL = 'authflow_changes';

const MIGRATION_LOCK_KEY = 0x61757468; // 'auth'

export async function openPostgres(url: string, options: OpenOptions): Promise<Database> {
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
  const inTx = new AsyncLocalStorage<{ readonly db: Db; config: boolean }>();
  const applied = async (q: pg.Pool | pg.PoolClient): Promise<{ tag: string; hash: string }[]> => {
    const exists = await q.query(`SELECT to_regclass($1) AS t`, [MIGRATIONS_TABLE]);
    if (!exists.rows[0]?.t) return [];
    return (await q.query<{ tag: string; hash: string }>(`SELECT tag, hash FROM ${MIGRATIONS_TABLE} ORDER BY tag`)).rows;
  };

  const listeners = new Set<() => void>();
  /** Tags this process's notifications (random, harmless to reveal). */
  const instanceId = randomUUID();
  let listener: pg.Client | undefined;
  let starting = false;
  let closed = false;
  const listen = async () => {
    if (starting || listener || closed) return;
    starting = true;
    // A dedicated connection outside the pool; reconnects if the server drops it.
    const client = new pgDriver.Client({ connectionString: url, connectionTimeoutMillis: options.connectTimeoutMs ?? 5000, application_name: 'authflow-listen' });
    client.on('notification', (msg) => {
      // Our own commits were announced locally already.
      if (msg.payload === instanceId) return;
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
    current: () => inTx.getStore()?.db ?? db,
    schema,
    migrations: pgMigrations,
    transaction(fn, options) {
      const outer = inTx.getStore();
      if (outer) {
        if (options?.config) outer.config = true;
        return fn(outer.db);
      }
      const run = (db as unknown as { transaction: (f: (tx: Db) => Promise<unknown>) => Promise<unknown> }).transaction;
      const ctx = { db, config: options?.config === true };
      const committed = run.call(db, (tx) =>
        inTx.run(Object.assign(ctx, { db: tx }), async () => {
          const result = await fn(tx);
          // Delivered to every listening server when (and only if) the transaction commits.
          if (ctx.config) await (tx as unknown as { execute: (q: string) => Promise<unknown> }).execute(`NOTIFY ${CHANGE_CHANNEL}, '${instanceId}'`);
          return result;
        }),
      ) as Promise<never>;
      // This process's caches learn of its own configuration changes at once, not when the notification comes back.
      return committed.then((r) => {
        if (!ctx.config) return r;
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
