import { and, desc, gt, lt, eq, isNull, ne } from 'drizzle-orm';
import type { SessionStore } from '../../core/ports.ts';
import type { Session } from '../../core/sessions/session.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';

export function sessionStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): SessionStore {
  const { sessions, revocations } = database.schema;
  const one = async (rows: Promise<unknown[]>) => (await guard('', () => rows))[0] as Session | undefined;
  const mine = (tenantId: string, id: string) => and(eq(sessions.tenantId, tenantId), eq(sessions.id, id));
  const revokeSession = (tx: Db, tenantId: string, id: string, at: number, revokeUntil: number) =>
    tx
      .insert(revocations)
      .values({ tenantId, kind: 'session', value: id, createdAt: at, expiresAt: revokeUntil })
      .onConflictDoUpdate({ target: [revocations.tenantId, revocations.kind, revocations.value], set: { expiresAt: revokeUntil }, setWhere: lt(revocations.expiresAt, revokeUntil) });
  return {
    insert: (s) => guard('that session already exists', () => write(async (tx) => void (await tx.insert(sessions).values({ ...s, amr: [...s.amr] })))),
    bySecretHash: (tenantId, secretHash) => one(db().select().from(sessions).where(and(eq(sessions.secretHash, secretHash), eq(sessions.tenantId, tenantId))).limit(1)),
    byId: (tenantId, id) => one(db().select().from(sessions).where(mine(tenantId, id)).limit(1)),
    reauthenticate: (tenantId, id, changes) =>
      guard('', () =>
        write(async (tx) => (await tx.update(sessions).set({ ...changes, amr: [...changes.amr] }).where(and(mine(tenantId, id), isNull(sessions.endedAt))).returning({ id: sessions.id })).length > 0),
      ),
    touch: (tenantId, id, lastSeenAt, idleExpiresAt) =>
      guard('', () => write(async (tx) => void (await tx.update(sessions).set({ lastSeenAt, idleExpiresAt }).where(and(mine(tenantId, id), isNull(sessions.endedAt)))))),
    end: (tenantId, id, at, revokeUntil) =>
      guard('', () =>
        write(async (tx) => {
          const ended = await tx.update(sessions).set({ endedAt: at }).where(and(mine(tenantId, id), isNull(sessions.endedAt))).returning({ id: sessions.id });
          if (!ended.length) return false;
          await revokeSession(tx, tenantId, id, at, revokeUntil);
          return true;
        }),
      ),
    liveOfUser: async (tenantId, userId, now) =>
      (await guard('', () =>
        db()
          .select()
          .from(sessions)
          .where(and(eq(sessions.userId, userId), eq(sessions.tenantId, tenantId), isNull(sessions.endedAt), gt(sessions.idleExpiresAt, now), gt(sessions.expiresAt, now)))
          .orderBy(desc(sessions.lastSeenAt)),
      )) as Session[],
    endAllOfUser: (tenantId, userId, at, revokeUntil, exceptId) =>
      guard('', () =>
        write(async (tx) => {
          const ended = await tx
            .update(sessions)
            .set({ endedAt: at })
            .where(and(eq(sessions.userId, userId), eq(sessions.tenantId, tenantId), isNull(sessions.endedAt), exceptId ? ne(sessions.id, exceptId) : undefined))
            .returning({ id: sessions.id });
          for (const { id } of ended) await revokeSession(tx, tenantId, id, at, revokeUntil);
          return ended.map((e) => e.id);
        }),
      ),
  };
}
