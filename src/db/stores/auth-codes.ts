import { and, eq, isNull, lt } from 'drizzle-orm';
import type { AuthorizationCode } from '../../core/oauth/codes.ts';
import type { AuthCodeStore } from '../../core/ports.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';

export function authCodeStore(database: Database, _db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): AuthCodeStore {
  const { authCodes } = database.schema;
  const of = (row: typeof authCodes.$inferSelect): AuthorizationCode => ({ ...row, codeChallengeMethod: row.codeChallengeMethod === 'S256' ? 'S256' : null });
  return {
    insert: (c) => guard('that authorization code already exists', () => write(async (tx) => void (await tx.insert(authCodes).values({ ...c, amr: [...c.amr], claims: c.claims ? { ...c.claims } : null })))),
    consume: (tenantId, codeHash, at) =>
      guard('', () =>
        write(async (tx) => {
          const mine = and(eq(authCodes.codeHash, codeHash), eq(authCodes.tenantId, tenantId));
          // One statement decides who redeems the code: concurrent redemptions cannot both see used_at IS NULL.
          const [won] = await tx.update(authCodes).set({ usedAt: at }).where(and(mine, isNull(authCodes.usedAt))).returning();
          if (won) return { ...of(won), usedAt: null };
          const [seen] = await tx.select().from(authCodes).where(mine).limit(1);
          return seen ? of(seen) : undefined;
        }),
      ),
    deleteExpired: (before) => guard('', () => write(async (tx) => (await tx.delete(authCodes).where(lt(authCodes.expiresAt, before)).returning({ codeHash: authCodes.codeHash })).length)),
  };
}
