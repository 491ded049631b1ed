import { json, page } from '../reply.ts';
import type { Handler } from '../route.ts';

// /api/v1/api-keys — rules live in src/core/admin/api-keys.ts. Tokens are returned once, at creation.

export const listApiKeys: Handler = async (c) => page(c.url, await c.deps.admin.apiKeys.list(c.principal, c.query.tenant, c.query));

export const createApiKey: Handler = async (c) => json(201, await c.deps.admin.apiKeys.create(c.principal, c.body));

export const revokeApiKey: Handler = async (c) => json(200, await c.deps.admin.apiKeys.revoke(c.principal, c.param('id')));
