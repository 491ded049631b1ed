import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { CredentialStore, UserStore } from '../../core/ports.ts';
import type { Credential, User } from '../../core/users/user.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';
import { pageOf } from './internal/page.ts';
import { preparedRead } from './internal/prepared.ts';

export function userStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): UserStore {
  const { users } = database.schema;
  const one = async (rows: Promise<unknown[]>) => (await guard('', () => rows))[0] as User | undefined;
  // The UserInfo hot path: one indexed read, prepared once.
  const byId = preparedRead<'tenantId' | 'id'>(database, 'authflow_user_by_id', db, (conn, p) =>
    conn.select().from(users).where(and(eq(users.tenantId, p('tenantId')), eq(users.id, p('id')))).limit(1),
  );
  return {
    insert: (u) => guard('a user with that email already exists in this tenant', () => write(async (tx) => void (await tx.insert(users).values({ ...u, attributes: { ...u.attributes } })))),
    byId: (tenantId, id) => one(byId({ tenantId, id })),
    update: (u) =>
      guard('a user with that email or external id already exists in this tenant', () =>
        write(async (tx) => {
          const { id, tenantId, createdAt: _created, ...changes } = u;
          const rows = await tx.update(users).set({ ...changes, attributes: { ...u.attributes } }).where(and(eq(users.tenantId, tenantId), eq(users.id, id))).returning({ id: users.id });
          return rows.length > 0;
        }),
      ),
    delete: (tenantId, id) => guard('', () => write(async (tx) => (await tx.delete(users).where(and(eq(users.tenantId, tenantId), eq(users.id, id))).returning({ id: users.id })).length > 0)),
    byEmail: (tenantId, email) => one(db().select().from(users).where(and(eq(users.tenantId, tenantId), eq(users.email, email))).limit(1)),
    byExternalId: (tenantId, externalId) => one(db().select().from(users).where(and(eq(users.tenantId, tenantId), eq(users.externalId, externalId))).limit(1)),
    byEmails: async (tenantId, emails) => (emails.length ? ((await guard('', () => db().select().from(users).where(and(eq(users.tenantId, tenantId), inArray(users.email, [...emails]))))) as User[]) : []),
    byExternalIds: async (tenantId, ids) => (ids.length ? ((await guard('', () => db().select().from(users).where(and(eq(users.tenantId, tenantId), inArray(users.externalId, [...ids]))))) as User[]) : []),
    insertMany: async (list) => {
      if (list.length) await guard('a user with that email or external id already exists in this tenant', () => write(async (tx) => void (await tx.insert(users).values(list.map((u) => ({ ...u, attributes: { ...u.attributes } }))))));
    },
    list: async (tenantId, page) => {
      const term = page?.search?.trim().toLowerCase();
      // LIKE with escaped wildcards; emails are stored case-folded, names are compared lower-cased.
      const pattern = term ? `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
      const matches = pattern
        ? or(sql`${users.email} like ${pattern} escape '\\'`, sql`lower(coalesce(${users.name}, '')) like ${pattern} escape '\\'`, sql`lower(coalesce(${users.externalId}, '')) like ${pattern} escape '\\'`)
        : undefined;
      const q = pageOf(users.id, and(eq(users.tenantId, tenantId), matches), page);
      return (await guard('', () => db().select().from(users).where(q.where).orderBy(q.orderBy).limit(q.limit))) as User[];
    },
    recordLogin: (tenantId, id, at) => guard('', () => write(async (tx) => void (await tx.update(users).set({ lastLoginAt: at }).where(and(eq(users.tenantId, tenantId), eq(users.id, id)))))),
  };
}

export function credentialStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): CredentialStore {
  const { credentials } = database.schema;
  const mine = (tenantId: string, id: string) => and(eq(credentials.tenantId, tenantId), eq(credentials.id, id));
  return {
    insert: (c) => guard('that credential already exists', () => write(async (tx) => void (await tx.insert(credentials).values({ ...c, data: { ...c.data } })))),
    insertMany: async (list) => {
      if (list.length) await guard('that credential already exists', () => write(async (tx) => void (await tx.insert(credentials).values(list.map((c) => ({ ...c, data: { ...c.data } }))))));
    },
    ofUser: async (tenantId, userId, kind) =>
      (await guard('', () =>
        db()
          .select()
          .from(credentials)
          .where(and(eq(credentials.userId, userId), eq(credentials.kind, kind), eq(credentials.tenantId, tenantId)))
          .orderBy(credentials.id),
      )) as Credential[],
    allOfUser: async (tenantId, userId) =>
      (await guard('', () => db().select().from(credentials).where(and(eq(credentials.userId, userId), eq(credentials.tenantId, tenantId))).orderBy(credentials.id))) as Credential[],
    deleteOfUser: (tenantId, userId, kind) =>
      guard('', () =>
        write(async (tx) => (await tx.delete(credentials).where(and(eq(credentials.userId, userId), eq(credentials.kind, kind), eq(credentials.tenantId, tenantId))).returning({ id: credentials.id })).length),
      ),
    updateSecret: (tenantId, id, secret) => guard('', () => write(async (tx) => void (await tx.update(credentials).set({ secret }).where(mine(tenantId, id))))),
    recordUse: (tenantId, id, at) => guard('', () => write(async (tx) => void (await tx.update(credentials).set({ lastUsedAt: at }).where(mine(tenantId, id))))),
  };
}
