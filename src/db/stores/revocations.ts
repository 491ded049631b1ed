import { and, eq, gt, inArray, lt, or, sql, type SQLWrapper } from 'drizzle-orm';
import type { RevocationStore } from '../../core/ports.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';

/** Expired entries deleted per write at most: cleanup never makes a revocation slow. */
const CLEANUP_BATCH = 100;

/**
 * The deny list (`revocations`). Reads are one query on the primary key
 * (kind, value); writes upsert, keeping the later expiry, and delete a bounded
 * batch of expired entries (indexed by expires_at).
 */
export function revocationStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): RevocationStore {
  const { revocations: r } = database.schema;
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
      const values = { tenantId, now, jti: t.jti ?? '', family: t.family ?? '', grant: t.grant ?? '', session: t.session ?? '' };
      const conn = db();
      // The userinfo/introspection hot path: outside a transaction, one statement prepared once per database.
      const rows = (await guard('', async () =>
        conn === database.db ? await anyRevokedStatement(database).execute(values) : await anyRevokedQuery(conn, database, (name) => sql`${values[name]}`),
      )) as unknown[];
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

type Prepared = { execute(values: Record<string, unknown>): PromiseLike<unknown> };
const prepared = new WeakMap<Database, Prepared>();

function anyRevokedStatement(database: Database): Prepared {
  let stmt = prepared.get(database);
  if (!stmt) {
    // SQLite prepares on its connection; Postgres needs a statement name (the driver prepares it once per pooled connection).
    const q = anyRevokedQuery(database.db, database, (name) => sql.placeholder(name)) as unknown as { prepare(name?: string): Prepared };
    stmt = q.prepare('authflow_any_revoked');
    prepared.set(database, stmt);
  }
  return stmt;
}
