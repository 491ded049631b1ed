import { and, count, desc, eq, gte, lte, sql } from 'drizzle-orm';
import type { InstanceStateStore, LicenseStore, Plan, PlanStore, UsageReportStore, UsageStore } from '../../core/ports.ts';
import { Conflict } from '../../core/errors.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';

/** Installed licenses. Writes are configuration: every server's license cache reloads on commit. */
export function licenseStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): LicenseStore {
  const { licenses: l } = database.schema;
  const config = <T>(fn: (tx: Db) => Promise<T>) => write(fn, { config: true, durable: true });
  return {
    all: () => guard('', () => db().select().from(l)),
    get: async (slot) => (await guard('', () => db().select().from(l).where(eq(l.slot, slot)).limit(1)))[0],
    put: (r) =>
      guard('', () =>
        config(async (tx) => {
          await tx.insert(l).values(r).onConflictDoUpdate({ target: l.slot, set: { tenantId: r.tenantId, token: r.token, planId: r.planId, installedAt: r.installedAt } });
        }),
      ),
    remove: (slot) => guard('', () => config(async (tx) => (await tx.delete(l).where(eq(l.slot, slot)).returning({ slot: l.slot })).length > 0)),
  };
}

export function instanceStateStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): InstanceStateStore {
  const { instanceState: s } = database.schema;
  const read = async (tx: Db, key: string) => (await tx.select({ value: s.value }).from(s).where(eq(s.key, key)).limit(1))[0]?.value;
  return {
    get: (key) => guard('', () => read(db(), key)),
    put: (key, value, now) =>
      guard('', () =>
        write(async (tx) => {
          await tx.insert(s).values({ key, value, updatedAt: now }).onConflictDoUpdate({ target: s.key, set: { value, updatedAt: now } });
        }),
      ),
    putIfAbsent: (key, value, now) =>
      guard('', () =>
        write(async (tx) => {
          await tx.insert(s).values({ key, value, updatedAt: now }).onConflictDoNothing({ target: s.key });
          return read(tx, key);
        }, { durable: true }),
      ),
  };
}

export function usageStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): UsageStore {
  const { usageMau: m, usageDaily: d } = database.schema;
  return {
    markActive: (tenantId, month, userId, at) =>
      guard('', () =>
        write(async (tx) => (await tx.insert(m).values({ tenantId, month, userId, firstAt: at }).onConflictDoNothing().returning({ userId: m.userId })).length > 0),
      ),
    isActive: async (tenantId, month, userId) =>
      (await guard('', () => db().select({ userId: m.userId }).from(m).where(and(eq(m.tenantId, tenantId), eq(m.month, month), eq(m.userId, userId))).limit(1))).length > 0,
    activeByTenant: async (month) =>
      (await guard('', () => db().select({ tenantId: m.tenantId, count: count() }).from(m).where(eq(m.month, month)).groupBy(m.tenantId))).map((r) => ({ tenantId: r.tenantId, count: Number(r.count) })),
    increment: (tenantId, day, counts) =>
      guard('', () =>
        write(async (tx) => {
          for (const c of counts) {
            await tx
              .insert(d)
              .values({ tenantId, day, metric: c.metric, dimension: c.dimension, count: c.by })
              .onConflictDoUpdate({ target: [d.tenantId, d.day, d.metric, d.dimension], set: { count: sql`${d.count} + ${c.by}` } });
          }
        }),
      ),
    daily: async (tenantId, fromDay, toDay) =>
      (
        await guard('', () =>
          db()
            .select()
            .from(d)
            .where(and(tenantId === undefined ? undefined : eq(d.tenantId, tenantId), gte(d.day, fromDay), lte(d.day, toDay)))
            .orderBy(d.day, d.metric, d.dimension),
        )
      ).map((r) => ({ ...r, count: Number(r.count) })),
    firstActiveByDay: async (tenantId, month) => {
      // first_at is ms since the epoch; the UTC day is computed in JS to stay dialect-neutral.
      const rows = await guard('', () =>
        db()
          .select({ tenantId: m.tenantId, firstAt: m.firstAt })
          .from(m)
          .where(and(tenantId === undefined ? undefined : eq(m.tenantId, tenantId), eq(m.month, month))),
      );
      const byKey = new Map<string, { tenantId: string; day: string; count: number }>();
      for (const r of rows) {
        const day = new Date(Number(r.firstAt)).toISOString().slice(0, 10);
        const key = `${r.tenantId} ${day}`;
        const e = byKey.get(key) ?? { tenantId: r.tenantId, day, count: 0 };
        e.count += 1;
        byKey.set(key, e);
      }
      return [...byKey.values()].sort((a, b) => a.day.localeCompare(b.day));
    },
  };
}

export function usageReportStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): UsageReportStore {
  const { usageReports: r } = database.schema;
  return {
    insert: (record) => guard('another usage report was made at the same moment; run the command again', () => write(async (tx) => void (await tx.insert(r).values(record)), { durable: true })),
    last: async () => (await guard('', () => db().select().from(r).orderBy(desc(r.seq)).limit(1)))[0],
  };
}

/** Plans; a change is configuration (every server's license view reloads). A plan in use cannot be deleted. */
export function planStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): PlanStore {
  const { plans: p, licenses: l } = database.schema;
  const config = <T>(fn: (tx: Db) => Promise<T>) => write(fn, { config: true });
  const row = (r: typeof p.$inferSelect): Plan => ({ ...r, entitlements: r.entitlements, limits: r.limits });
  return {
    insert: (plan) => guard(`a plan named ${plan.name} already exists`, () => config(async (tx) => void (await tx.insert(p).values({ ...plan, entitlements: [...plan.entitlements], limits: { ...plan.limits } })))),
    update: (plan) =>
      guard(`a plan named ${plan.name} already exists`, () =>
        config(async (tx) => void (await tx.update(p).set({ name: plan.name, description: plan.description, entitlements: [...plan.entitlements], limits: { ...plan.limits }, updatedAt: plan.updatedAt }).where(eq(p.id, plan.id)))),
      ),
    delete: (id) =>
      guard('', () =>
        config(async (tx) => {
          const used = await tx.select({ n: count() }).from(l).where(eq(l.planId, id));
          if (Number(used[0]?.n ?? 0) > 0) throw new Conflict(`the plan is assigned to ${used[0]!.n} tenant(s); move them to another plan first (tenant update T --plan NAME or --no-plan)`);
          return (await tx.delete(p).where(eq(p.id, id)).returning({ id: p.id })).length > 0;
        }),
      ),
    byName: async (name) => {
      const r = (await guard('', () => db().select().from(p).where(eq(p.name, name)).limit(1)))[0];
      return r ? row(r) : undefined;
    },
    list: async () => (await guard('', () => db().select().from(p).orderBy(p.name))).map(row),
  };
}
