import { json, page } from '../reply.ts';
import type { Handler } from '../route.ts';

// /api/v1/tenants/{tenant}/audit — the tenant's hash-chained audit log. Rules live in src/core/admin/audit.ts.

export const listAuditEvents: Handler = async (c) => {
  const { limit, cursor, before, after, actor, action, target } = c.query;
  return page(c.url, await c.deps.admin.audit.list(c.principal, c.param('tenant'), { limit, cursor, before, after, actor, action, target }));
};

export const verifyAuditChain: Handler = async (c) => json(200, await c.deps.admin.audit.verify(c.principal, c.param('tenant')));
