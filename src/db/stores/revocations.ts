import { and, eq, gt, inArray, lt, or, sql, type SQLWrapper } from 'drizzle-orm';
import type { RevocationStore } from '../../core/ports.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';
import { preparedRead } from './internal/prepared.ts';

/** Expired entries deleted per write at most: cleanup never makes a revocation slow. */
const CLEANUP_BATCH = 100;

/**
 * The deny list (`revocations`). Reads are one query on the primary key
 * (kind, value); writes upsert, keeping the later expiry, and delete a bounded
 * batch of expired entries (indexed by expires_at).
 */
export function revocationStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): RevocationStore {
  const { revocations: r } = database.schema;
  const anyRevoked = preparedRead(database, 'authflow_any_revoked', db, (conn, p) => anyRevokedQuery(conn, database, p));
  return {
    revoke: (tenantId, kind, value, expiresAt, now) =>
      guard('', () =>
        write(async (tx) => {
          await tx
            .insert(r)
            .values({ tenantId, kind, value, createdAt: now, expiresAt })
            .onConflictDoUpdate({ target: [r.tenantId, r.kind, r.value], set: { expiresAt: sql`excluded.expires_at` }, setWhere: lt(r.expiresAt, sql`excluded.expires_at`) });
          const expired = await tx.select({ kind: r.kind, value: r.value }).from(r).where(lt(r.expiresAt, now)).limit(CLEANUP_BATCH);
          for (const kind of new Set(expired.map((e) => e.kind))) {
            await tx.delete(r).where(and(eq(r.kind, kind), inArray(r.value, expired.filter((e) => e.kind === kind).map((e) => e.value)), lt(r.expiresAt, now)));
          }
        }),
      ),
    anyRevoked: async (tenantId, t, now) => {
      if (t.jti === undefined && t.family === undefined && t.grant === undefined && t.session === undefined) return false;
      // The userinfo/introspection hot path: one statement, prepared once.
      const rows = await guard('', () => anyRevoked({ tenantId, now, jti: t.jti ?? '', family: t.family ?? '', grant: t.grant ?? '', session: t.session ?? '' }));
      return rows.length > 0;
    },
  };
}

/** One query for "is any of these revoked": a fixed shape (absent targets bind '', which is never stored) so it can be prepared. */
function anyRevokedQuery(conn: Db, database: Database, p: (name: 'tenantId' | 'now' | 'jti' | 'family' | 'grant' | 'session') => SQLWrapper) {
  const r = database.schema.revocations;
  return conn
    .select({ one: sql<number>`1` })
    .from(r)
    .where(
      and(
        eq(r.tenantId, p('tenantId')),
        gt(r.expiresAt, p('now')),
        or(
          and(eq(r.kind, 'jti'), eq(r.value, p('jti'))),
          and(eq(r.kind, 'family'), eq(r.value, p('family'))),
          and(eq(r.kind, 'grant'), eq(r.value, p('grant'))),
          and(eq(r.kind, 'session'), eq(r.value, p('session'))),
        ),
      ),
    )
    .limit(1);
}
