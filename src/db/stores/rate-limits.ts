import { and, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { AttemptPolicy, RateLimitStore } from '../../core/ports.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';

/**
 * Fixed windows and lockout counters, each change one statement (an upsert
 * with RETURNING), so concurrent requests on any number of servers can never
 * read the same count and both pass.
 */
export function rateLimitStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): RateLimitStore {
  const { rateLimits: r } = database.schema;
  const hitMany = (keys: readonly string[], windowMs: number, now: number) =>
    guard('', () =>
      write(async (tx) => {
        // One statement for every key: a window that ended restarts at 1 (`excluded` is the row that was proposed).
        const rows = await tx
          .insert(r)
          .values(keys.map((key) => ({ key, count: 1, resetAt: now + windowMs, blockedUntil: 0 })))
          .onConflictDoUpdate({
            target: r.key,
            set: {
              count: sql`case when ${r.resetAt} <= ${now} then 1 else ${r.count} + 1 end`,
              resetAt: sql`case when ${r.resetAt} <= ${now} then excluded.reset_at else ${r.resetAt} end`,
            },
          })
          .returning({ key: r.key, count: r.count, resetAt: r.resetAt });
        const byKey = new Map(rows.map((row) => [row.key, { count: Number(row.count), resetAt: Number(row.resetAt) }]));
        return keys.map((k) => byKey.get(k)!);
      }),
    );
  return {
    hit: async (key, windowMs, now) => (await hitMany([key], windowMs, now))[0]!,
    hitMany: (keys, windowMs, now) => (keys.length ? hitMany(keys, windowMs, now) : Promise.resolve([])),
    attempt: (key, policy, now) =>
      guard('', () =>
        write(async (tx) => {
          // The count this attempt makes, and the wait it imposes on the next one, in SQL: the
          // guarded upsert below is the only place a counter moves, so parallel attempts serialise on the row.
          const next = sql`(case when ${r.resetAt} <= ${now} then 1 else ${r.count} + 1 end)`;
          const rows = await tx
            .insert(r)
            .values({ key, count: 1, resetAt: now + policy.windowMs, blockedUntil: now + waitAfter(policy, 1) })
            .onConflictDoUpdate({
              target: r.key,
              set: { count: next, resetAt: sql`${now + policy.windowMs}`, blockedUntil: sql`${big(now)} + ${waitCase(policy, next)}` },
              setWhere: lt(r.blockedUntil, now + 1),
            })
            .returning({ count: r.count, blockedUntil: r.blockedUntil });
          if (rows[0]) return { allowed: true, count: Number(rows[0].count), blockedUntil: Number(rows[0].blockedUntil) };
          const held = (await tx.select({ count: r.count, blockedUntil: r.blockedUntil }).from(r).where(eq(r.key, key)).limit(1))[0]!;
          return { allowed: false, count: Number(held.count), blockedUntil: Number(held.blockedUntil) };
        }),
      ),
    peek: async (key, now) => {
      const row = (await guard('', () => db().select().from(r).where(eq(r.key, key)).limit(1)))[0];
      return row && row.resetAt > now ? { count: row.count, resetAt: row.resetAt, blockedUntil: row.blockedUntil } : { count: 0, resetAt: now, blockedUntil: row && row.blockedUntil > now ? row.blockedUntil : 0 };
    },
    peekMany: async (keys, now) => {
      if (!keys.length) return [];
      const rows = await guard('', () => db().select().from(r).where(inArray(r.key, [...keys])));
      const byKey = new Map(rows.map((row) => [row.key, row]));
      return keys.map((k) => {
        const row = byKey.get(k);
        return row && row.resetAt > now ? { count: row.count, resetAt: row.resetAt } : { count: 0, resetAt: now };
      });
    },
    reset: (key) => guard('', () => write(async (tx) => void (await tx.delete(r).where(eq(r.key, key))))),
    resetMany: (keys) => (keys.length ? guard('', () => write(async (tx) => void (await tx.delete(r).where(inArray(r.key, [...keys]))))) : Promise.resolve()),
    resetPrefix: (prefix) =>
      guard('', () => write(async (tx) => (await tx.delete(r).where(sql`substr(${r.key}, 1, ${prefix.length}) = ${prefix}`).returning({ key: r.key })).length)),
    deleteExpired: (now) => guard('', () => write(async (tx) => (await tx.delete(r).where(and(lt(r.resetAt, now), lt(r.blockedUntil, now))).returning({ key: r.key })).length)),
  };
}

/** Milliseconds the attempt numbered `n` makes the next one wait. */
function waitAfter(policy: AttemptPolicy, n: number): number {
  return n < policy.free ? 0 : (policy.waits[Math.min(n - policy.free, policy.waits.length - 1)] ?? 0);
}

/** The same as waitAfter, as SQL over the count expression `n` (a short CASE: the waits list is bounded). */
function waitCase(policy: AttemptPolicy, n: SQL): SQL {
  const branches = policy.waits.slice(0, -1).map((w, i) => sql` when ${n} = ${big(policy.free + i)} then ${big(w)}`);
  return sql`(case when ${n} < ${big(policy.free)} then ${big(0)}${sql.join(branches, sql``)} else ${big(policy.waits.at(-1) ?? 0)} end)`;
}

/** A bound number typed for Postgres (which cannot infer the type of `$1 + $2`); plain INTEGER on SQLite. */
const big = (n: number): SQL => sql`cast(${n} as bigint)`;
