import { and, eq, sql } from 'drizzle-orm';
import type { TermsAcceptance, UserDevice } from '../../core/users/account-records.ts';
import type { DeviceStore, TermsStore } from '../../core/ports.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';

export function termsStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): TermsStore {
  const { termsAcceptances: t } = database.schema;
  return {
    accept: (a) => guard('', () => write(async (tx) => void (await tx.insert(t).values(a).onConflictDoNothing()))),
    ofUser: async (tenantId, userId) => (await guard('', () => db().select().from(t).where(and(eq(t.userId, userId), eq(t.tenantId, tenantId))).orderBy(t.acceptedAt))) as TermsAcceptance[],
    accepted: async (tenantId, userId, version) =>
      (await guard('', () => db().select({ v: t.version }).from(t).where(and(eq(t.userId, userId), eq(t.version, version), eq(t.tenantId, tenantId))).limit(1))).length > 0,
  };
}

export function deviceStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): DeviceStore {
  const { userDevices: d } = database.schema;
  return {
    // One upsert: a new row means a new device (the returned first_seen_at is this sign-in's).
    seen: (device) =>
      guard('', () =>
        write(async (tx) => {
          const rows = await tx
            .insert(d)
            .values(device)
            .onConflictDoUpdate({ target: [d.userId, d.deviceHash], set: { lastSeenAt: device.lastSeenAt, userAgent: device.userAgent, ip: device.ip } })
            .returning({ id: d.id });
          return { isNew: rows[0]?.id === device.id };
        }),
      ),
    ofUser: async (tenantId, userId) => (await guard('', () => db().select().from(d).where(and(eq(d.userId, userId), eq(d.tenantId, tenantId))).orderBy(sql`${d.lastSeenAt} desc`))) as UserDevice[],
    known: async (tenantId, userId, deviceHash) =>
      (await guard('', () => db().select({ id: d.id }).from(d).where(and(eq(d.userId, userId), eq(d.deviceHash, deviceHash), eq(d.tenantId, tenantId))).limit(1))).length > 0,
  };
}
