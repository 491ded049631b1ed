import { json, page } from '../reply.ts';
import type { Handler } from '../route.ts';

// /api/v1/mail — the mail outbox (what `authflow mail list|show` reads
// remotely). Rules, scopes and tenant visibility live in src/core/admin/mail.ts.

export const listMail: Handler = async (c) =>
  page(c.url, await c.deps.admin.mail.list(c.principal, { limit: c.query.limit, cursor: c.query.cursor, tenant: c.query.tenant, status: c.query.status, to: c.query.to }));

export const showMail: Handler = async (c) => json(200, await c.deps.admin.mail.show(c.principal, c.param('mail')));
