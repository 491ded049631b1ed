import { apiPath, json, page, resource } from '../reply.ts';
import type { Handler } from '../route.ts';

// /api/v1/tenants/{tenant}/users — the account lifecycle as admins drive it;
// {user} is an id or an email address. Rules live in src/core/admin/users.ts.
// Answers that carry a user carry its ETag, for If-Match on the next update.

const users = (c: Parameters<Handler>[0]) => c.deps.admin.users;

export const listUsers: Handler = async (c) =>
  page(c.url, await users(c).list(c.principal, c.param('tenant'), { limit: c.query.limit, cursor: c.query.cursor, search: c.query.search }));

export const createUser: Handler = async (c) => {
  const created = await users(c).create(c.principal, c.param('tenant'), c.body);
  return resource(201, created, { location: apiPath('tenants', created.tenant, 'users', created.id) });
};

export const showUser: Handler = async (c) => resource(200, await users(c).show(c.principal, c.param('tenant'), c.param('user')));

export const updateUser: Handler = async (c) => resource(200, await users(c).update(c.principal, c.param('tenant'), c.param('user'), c.body, c.ifMatch));

export const deleteUser: Handler = async (c) => json(200, await users(c).delete(c.principal, c.param('tenant'), c.param('user')));

export const disableUser: Handler = async (c) => resource(200, await users(c).disable(c.principal, c.param('tenant'), c.param('user')));

export const enableUser: Handler = async (c) => resource(200, await users(c).enable(c.principal, c.param('tenant'), c.param('user')));

export const setUserPassword: Handler = async (c) => json(200, await users(c).setPassword(c.principal, c.param('tenant'), c.param('user'), c.body));

export const listUserSessions: Handler = async (c) => json(200, await users(c).sessions(c.principal, c.param('tenant'), c.param('user')));

export const revokeUserSessions: Handler = async (c) => json(200, await users(c).revokeSessions(c.principal, c.param('tenant'), c.param('user')));

export const revokeUserSession: Handler = async (c) => json(200, await users(c).revokeSessions(c.principal, c.param('tenant'), c.param('user'), c.param('session')));

export const exportUserData: Handler = async (c) => json(200, await users(c).exportData(c.principal, c.param('tenant'), c.param('user')));

