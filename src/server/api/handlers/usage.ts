import { json } from '../reply.ts';
import type { Handler } from '../route.ts';

// /api/v1/usage — monthly active users and daily analytics (what `authflow usage show|export` reads remotely).
// Rules, scope and tenant visibility live in src/core/admin/usage.ts.

export const showUsage: Handler = async (c) => json(200, await c.deps.admin.usage.show(c.principal, { tenant: c.query.tenant, month: c.query.month, by: c.query.by }));

export const listUsageRecords: Handler = async (c) => json(200, { items: await c.deps.admin.usage.export(c.principal, { tenant: c.query.tenant, month: c.query.month }) });
