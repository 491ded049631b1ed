import { and, eq, isNull } from 'drizzle-orm';
import type { RefreshToken, RefreshTokenLookup } from '../../core/oauth/tokens/refresh-token.ts';
import type { RefreshTokenStore } from '../../core/ports.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';

export function refreshTokenStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): RefreshTokenStore {
  const { refreshTokens: rt, users, grants } = database.schema;
  const row = (t: RefreshToken) => ({ ...t, amr: [...t.amr] });
  return {
    insert: (t) => guard('that refresh token already exists', () => write(async (tx) => void (await tx.insert(rt).values(row(t))))),

    // The hot path's one read: token by its unique hash, with its user and grant by primary key.
    lookup: async (tenantId, tokenHash) => {
      const rows = await guard('', () =>
        db()
          .select({ token: rt, user: users, grantRevokedAt: grants.revokedAt, grantId: grants.id })
          .from(rt)
          .leftJoin(users, and(eq(users.id, rt.userId), eq(users.tenantId, rt.tenantId)))
          .leftJoin(grants, and(eq(grants.id, rt.grantId), eq(grants.tenantId, rt.tenantId)))
          .where(and(eq(rt.tokenHash, tokenHash), eq(rt.tenantId, tenantId)))
          .limit(1),
      );
      const r = rows[0];
      if (!r) return undefined;
      return {
        token: r.token as RefreshToken,
        user: r.user ?? undefined,
        grantActive: r.grantId !== null && r.grantRevokedAt === null,
      } satisfies RefreshTokenLookup;
    },

    // One write transaction: a guarded UPDATE (a concurrent use of the same token loses) and the successor's INSERT.
    rotate: (usedId, at, successor) =>
      guard('', () =>
        write(async (tx) => {
          const used = await tx
            .update(rt)
            .set({ usedAt: at })
            .where(and(eq(rt.id, usedId), isNull(rt.usedAt), isNull(rt.revokedAt)))
            .returning({ id: rt.id });
          if (used.length === 0) return false;
          await tx.insert(rt).values(row(successor));
          return true;
        }),
      ),

    revokeFamily: (tenantId, familyId, at) =>
      guard('', () =>
        write(async (tx) => {
          await tx
            .update(rt)
            .set({ revokedAt: at })
            .where(and(eq(rt.tenantId, tenantId), eq(rt.familyId, familyId), isNull(rt.revokedAt)));
        }),
      ),

    // Indexed by grant_id. A family has at most one unused token: count those to count live families.
    revokeGrant: (tenantId, grantId, at) =>
      guard('', () =>
        write(async (tx) => {
          const revoked = await tx
            .update(rt)
            .set({ revokedAt: at })
            .where(and(eq(rt.tenantId, tenantId), eq(rt.grantId, grantId), isNull(rt.revokedAt)))
            .returning({ familyId: rt.familyId, usedAt: rt.usedAt, idleExpiresAt: rt.idleExpiresAt });
          return new Set(revoked.filter((r) => r.usedAt === null && r.idleExpiresAt > at).map((r) => r.familyId)).size;
        }),
      ),

    revokeAllOfUser: (tenantId, userId, at) =>
      guard('', () =>
        write(async (tx) => {
          const revoked = await tx
            .update(rt)
            .set({ revokedAt: at })
            .where(and(eq(rt.tenantId, tenantId), eq(rt.userId, userId), isNull(rt.revokedAt)))
            .returning({ familyId: rt.familyId });
          return [...new Set(revoked.map((r) => r.familyId))];
        }),
      ),
  };
}
