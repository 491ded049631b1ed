import { parseInput } from '../../../core/validation.ts';
import { json } from '../reply.ts';
import type { Handler } from '../route.ts';
import { emptyBody } from '../schemas.ts';

// /api/v1/tenants/{tenant}/keys — signing keys; rules live in src/core/admin/keys.ts.

export const listKeys: Handler = async (c) => json(200, { items: await c.deps.admin.keys.list(c.principal, c.param('tenant')) });

export const rotateKey: Handler = async (c) => json(201, await c.deps.admin.keys.rotate(c.principal, c.param('tenant'), c.body));

export const retireKey: Handler = async (c) => {
  parseInput(emptyBody, c.body ?? {});
  return json(200, await c.deps.admin.keys.retire(c.principal, c.param('tenant'), c.param('kid')));
};
