import { etagOf } from '../../../core/admin/index.ts';
import { apiPath, json, page, resource } from '../reply.ts';
import type { Handler } from '../route.ts';

// /api/v1/tenants/{tenant}/clients — rules live in src/core/admin/clients.ts.
// Answers that carry a client carry its ETag, for If-Match on the next update.

export const listClients: Handler = async (c) => page(c.url, await c.deps.admin.clients.list(c.principal, c.param('tenant'), c.query));

export const createClient: Handler = async (c) => {
  const created = await c.deps.admin.clients.create(c.principal, c.param('tenant'), c.body);
  return json(201, created, { etag: etagOf(withoutSecret(created)), location: apiPath('tenants', created.tenant, 'clients', created.client_id) });
};

export const showClient: Handler = async (c) => resource(200, await c.deps.admin.clients.show(c.principal, c.param('tenant'), c.param('client_id')));

export const updateClient: Handler = async (c) => {
  const updated = await c.deps.admin.clients.update(c.principal, c.param('tenant'), c.param('client_id'), c.body, c.ifMatch);
  return json(200, updated, { etag: etagOf(withoutSecret(updated)) });
};

export const deleteClient: Handler = async (c) => json(200, await c.deps.admin.clients.delete(c.principal, c.param('tenant'), c.param('client_id')));

export const rotateClientSecret: Handler = async (c) => {
  const rotated = await c.deps.admin.clients.rotateSecret(c.principal, c.param('tenant'), c.param('client_id'), c.body);
  return json(200, rotated, { etag: etagOf(withoutSecret(rotated)) });
};

/** The client's own fields: its ETag is the one a later GET answers, secret or not. */
function withoutSecret<T extends { client_secret?: string }>(answer: T): Omit<T, 'client_secret'> {
  const { client_secret: _secret, ...view } = answer;
  return view;
}
