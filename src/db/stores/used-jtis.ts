import { inArray, lt, sql } from 'drizzle-orm';
import type { UsedJtiStore } from '../../core/ports.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';

/** Expired keys deleted per cleanup at most. */
const CLEANUP_BATCH = 500;
/** At most one cleanup per interval per process: `expires_at` is not indexed, so a cleanup scans. */
const CLEANUP_INTERVAL_MS = 60_000;
/** When each database was last cleaned (stores are built per transaction; the schedule is per database). */
const lastCleanup = new WeakMap<Database, number>();

/**
 * Used client-assertion `jti`s (RFC 7523 §3 item 7). `use` is one upsert that
 * succeeds only when the key is new or its earlier use has expired, so two
 * concurrent uses of one assertion cannot both pass, on SQLite or Postgres.
 */
export function usedJtiStore(database: Database, _db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): UsedJtiStore {
  const { usedJtis: u } = database.schema;
  return {
    use: (key, expiresAt, now) =>
      guard('', () =>
        write(async (tx) => {
          const rows = await tx
            .insert(u)
            .values({ key, expiresAt })
            .onConflictDoUpdate({ target: u.key, set: { expiresAt: sql`excluded.expires_at` }, setWhere: lt(u.expiresAt, now) })
            .returning({ key: u.key });
          if (now - (lastCleanup.get(database) ?? 0) >= CLEANUP_INTERVAL_MS) {
            lastCleanup.set(database, now);
            const expired = await tx.select({ key: u.key }).from(u).where(lt(u.expiresAt, now)).limit(CLEANUP_BATCH);
            if (expired.length) await tx.delete(u).where(inArray(u.key, expired.map((e) => e.key)));
          }
          return rows.length > 0;
        }),
      ),
  };
}
