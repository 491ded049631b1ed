import { json, page } from '../reply.ts';
import type { Handler } from '../route.ts';

// /api/v1/tenants/{tenant}/security-events and …/users/{user}/unlock. Rules live in src/core/admin/security.ts.

export const listSecurityEvents: Handler = async (c) => {
  const { limit, cursor, user, kind, since } = c.query;
  return page(c.url, await c.deps.admin.security.events(c.principal, c.param('tenant'), { limit, cursor, user, kind, since }));
};

export const unlockUser: Handler = async (c) => json(200, await c.deps.admin.security.unlock(c.principal, c.param('tenant'), c.param('user')));
