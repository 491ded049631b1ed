import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { ApiKeyAddressStore, SecurityEventStore } from '../../core/ports.ts';
import type { SecurityEvent } from '../../core/security/security-event.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';

export function securityEventStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): SecurityEventStore {
  const { securityEvents: e } = database.schema;
  return {
    insert: (event) => guard('', () => write(async (tx) => void (await tx.insert(e).values({ ...event, data: { ...event.data } })))),
    list: async (tenantId, q) =>
      (await guard('', () =>
        db()
          .select()
          .from(e)
          .where(
            and(
              eq(e.tenantId, tenantId),
              q.userId ? eq(e.userId, q.userId) : undefined,
              q.kind ? eq(e.kind, q.kind) : undefined,
              q.since !== undefined ? gte(e.at, q.since) : undefined,
              q.before ? lt(e.id, q.before) : undefined,
            ),
          )
          .orderBy(desc(e.id))
          .limit(q.limit),
      )) as SecurityEvent[],
  };
}

export function apiKeyAddressStore(database: Database, _db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): ApiKeyAddressStore {
  const { apiKeyAddresses: a } = database.schema;
  return {
    seen: (apiKeyId, ip, now) =>
      guard('', () =>
        write(async (tx) => {
          // One upsert: the returned first_seen_at is this use's when the row is new.
          const rows = await tx
            .insert(a)
            .values({ apiKeyId, ip, firstSeenAt: now, lastSeenAt: now })
            .onConflictDoUpdate({ target: [a.apiKeyId, a.ip], set: { lastSeenAt: sql`case when ${a.lastSeenAt} > ${now} then ${a.lastSeenAt} else ${now} end` } })
            .returning({ firstSeenAt: a.firstSeenAt });
          const isNew = Number(rows[0]!.firstSeenAt) === now;
          if (!isNew) return { isNew, first: false };
          const others = await tx.select({ ip: a.ip }).from(a).where(and(eq(a.apiKeyId, apiKeyId), sql`${a.ip} <> ${ip}`)).limit(1);
          return { isNew, first: others.length === 0 };
        }),
      ),
  };
}
