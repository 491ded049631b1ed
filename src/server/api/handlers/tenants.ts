import { apiPath, json, page, resource } from '../reply.ts';
import type { Handler } from '../route.ts';

// /api/v1/tenants — parse, call the core, answer. Rules live in src/core/admin/tenants.ts.

export const listTenants: Handler = async (c) => page(c.url, await c.deps.admin.tenants.list(c.principal, c.query));

export const createTenant: Handler = async (c) => {
  const tenant = await c.deps.admin.tenants.create(c.principal, c.body);
  return resource(201, tenant, { location: apiPath('tenants', tenant.slug) });
};

export const showTenant: Handler = async (c) => resource(200, await c.deps.admin.tenants.show(c.principal, c.param('tenant')));

export const updateTenant: Handler = async (c) => resource(200, await c.deps.admin.tenants.update(c.principal, c.param('tenant'), c.body, c.ifMatch));

export const deleteTenant: Handler = async (c) => json(200, await c.deps.admin.tenants.delete(c.principal, c.param('tenant')));
