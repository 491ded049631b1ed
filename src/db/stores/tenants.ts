import { asc, count, eq } from 'drizzle-orm';
import type { TenantStore } from '../../core/ports.ts';
import type { Tenant } from '../../core/tenants/tenant.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';

export function tenantStore(database: Database, db: Db = database.db, write: Database['transaction'] = database.transaction): TenantStore {
  const { tenants } = database.schema;
  return {
    insert: (tenant) => guard(`a tenant with slug "${tenant.slug}" or that custom domain already exists`, () => write(async (tx) => void (await tx.insert(tenants).values(tenant)))),
    byId: async (id) => (await guard('', () => db.select().from(tenants).where(eq(tenants.id, id)).limit(1)))[0] as Tenant | undefined,
    bySlug: async (slug) => (await guard('', () => db.select().from(tenants).where(eq(tenants.slug, slug)).limit(1)))[0] as Tenant | undefined,
    list: async () => (await guard('', () => db.select().from(tenants).orderBy(asc(tenants.slug)))) as Tenant[],
    count: async () => (await guard('', () => db.select({ n: count() }).from(tenants)))[0]?.n ?? 0,
  };
}
