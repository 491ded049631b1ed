import { count, eq } from 'drizzle-orm';
import type { TenantStore } from '../../core/ports.ts';
import type { Tenant } from '../../core/tenants/tenant.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';
import { pageOf } from './internal/page.ts';

export function tenantStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): TenantStore {
  const { tenants } = database.schema;
  // Every write here changes cached configuration: running servers drop their caches on commit.
  const config = <T>(fn: (tx: Db) => Promise<T>) => write(fn, { config: true });
  const one = async (rows: Promise<unknown[]>) => (await guard('', () => rows))[0] as Tenant | undefined;
  const conflict = (t: Tenant) => `a tenant with slug "${t.slug}"${t.customDomain ? ` or custom domain ${t.customDomain}` : ''} already exists`;
  return {
    insert: (tenant) => guard(conflict(tenant), () => config(async (tx) => void (await tx.insert(tenants).values(tenant)))),
    update: (tenant) =>
      guard(conflict(tenant), () =>
        config(async (tx) => void (await tx.update(tenants).set({ name: tenant.name, customDomain: tenant.customDomain, settings: tenant.settings, updatedAt: tenant.updatedAt }).where(eq(tenants.id, tenant.id)))),
      ),
    delete: (id) => guard('', () => config(async (tx) => (await tx.delete(tenants).where(eq(tenants.id, id)).returning({ id: tenants.id })).length > 0)),
    byId: (id) => one(db().select().from(tenants).where(eq(tenants.id, id)).limit(1)),
    bySlug: (slug) => one(db().select().from(tenants).where(eq(tenants.slug, slug)).limit(1)),
    byDomain: (domain) => one(db().select().from(tenants).where(eq(tenants.customDomain, domain)).limit(1)),
    list: async (page) => {
      const q = pageOf(tenants.id, undefined, page);
      return (await guard('', () => db().select().from(tenants).where(q.where).orderBy(q.orderBy).limit(q.limit))) as Tenant[];
    },
    count: async () => (await guard('', () => db().select({ n: count() }).from(tenants)))[0]?.n ?? 0,
  };
}
