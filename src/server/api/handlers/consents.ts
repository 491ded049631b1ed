import { json } from '../reply.ts';
import type { Handler } from '../route.ts';

// /api/v1/tenants/{tenant}/users/{user}/consents — a user's consents (grants);
// {user} is an id or an email address. Rules live in src/core/admin/consents.ts.

export const listConsents: Handler = async (c) => json(200, await c.deps.admin.consents.list(c.principal, c.param('tenant'), c.param('user')));

export const revokeConsent: Handler = async (c) => json(200, await c.deps.admin.consents.revoke(c.principal, c.param('tenant'), c.param('user'), c.param('client_id')));

export const revokeAllConsents: Handler = async (c) => json(200, await c.deps.admin.consents.revokeAll(c.principal, c.param('tenant'), c.param('user')));
