import {
  createApiKeySchema,
  createClientSchema,
  createTenantSchema,
  rotateKeySchema,
  rotateSecretSchema,
  updateClientSchema,
  updateTenantSchema,
} from '../../core/admin/index.ts';
import { createUserSchema, setPasswordSchema, updateUserSchema } from '../../core/admin/index.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './handlers/api-keys.ts';
import { listConsents, revokeAllConsents, revokeConsent } from './handlers/consents.ts';
import { listAuditEvents, verifyAuditChain } from './handlers/audit.ts';
import { listSecurityEvents, unlockUser } from './handlers/security.ts';
import {
  createUser,
  deleteUser,
  disableUser,
  enableUser,
  exportUserData,
  listUserSessions,
  listUsers,
  revokeUserSession,
  revokeUserSessions,
  setUserPassword,
  showUser,
  updateUser,
} from './handlers/users.ts';
import { createClient, deleteClient, listClients, rotateClientSecret, showClient, updateClient } from './handlers/clients.ts';
import { listKeys, retireKey, rotateKey } from './handlers/keys.ts';
import { listMail, showMail } from './handlers/mail.ts';
import { listUsageRecords, showUsage } from './handlers/usage.ts';
import { serveOpenApi } from './handlers/openapi.ts';
import { serverStatus } from './handlers/server.ts';
import { createTenant, deleteTenant, listTenants, showTenant, updateTenant } from './handlers/tenants.ts';
import type { ApiRoute } from './route.ts';
import * as s from './schemas.ts';

/**
 * The management API (`/api/v1`): the one table that both registers the h3
 * routes (src/server/api/mount.ts) and describes them (GET /openapi.json).
 */
export const API_ROUTES: readonly ApiRoute[] = [
  // ---------------------------------------------------------------- tenants
  {
    method: 'GET', path: '/tenants', operationId: 'listTenants', tag: 'tenants', scope: 'tenants:read',
    summary: 'List tenants (a tenant key sees its own only)',
    query: s.listQuery,
    ok: { status: 200, description: 'A page of tenants.', schema: s.tenantPageSchema, headers: ['Link'] },
    handle: listTenants,
  },
  {
    method: 'POST', path: '/tenants', operationId: 'createTenant', tag: 'tenants', scope: 'tenants:write',
    summary: 'Create a tenant, with its first signing keys (instance-admin keys only)',
    body: { schema: createTenantSchema, required: true },
    ok: { status: 201, description: 'The new tenant.', schema: s.tenantViewSchema, headers: ['ETag', 'Location'] },
    errors: [409],
    handle: createTenant,
  },
  {
    method: 'GET', path: '/tenants/{tenant}', operationId: 'getTenant', tag: 'tenants', scope: 'tenants:read',
    summary: 'Show a tenant',
    ok: { status: 200, description: 'The tenant.', schema: s.tenantViewSchema, headers: ['ETag'] },
    handle: showTenant,
  },
  {
    method: 'PATCH', path: '/tenants/{tenant}', operationId: 'updateTenant', tag: 'tenants', scope: 'tenants:write',
    summary: 'Update a tenant; `settings` is a JSON Merge Patch (RFC 7396) of its settings',
    body: { schema: updateTenantSchema, required: true },
    ok: { status: 200, description: 'The updated tenant.', schema: s.tenantViewSchema, headers: ['ETag'] },
    errors: [409, 412],
    handle: updateTenant,
  },
  {
    method: 'DELETE', path: '/tenants/{tenant}', operationId: 'deleteTenant', tag: 'tenants', scope: 'tenants:write',
    summary: 'Delete a tenant and everything it owns (instance-admin keys only)',
    ok: { status: 200, description: 'The slug of the deleted tenant.', schema: s.deletedSchema },
    handle: deleteTenant,
  },

  // ---------------------------------------------------------------- clients
  {
    method: 'GET', path: '/tenants/{tenant}/clients', operationId: 'listClients', tag: 'clients', scope: 'clients:read',
    summary: 'List the clients of a tenant',
    query: s.listQuery,
    ok: { status: 200, description: 'A page of clients.', schema: s.clientPageSchema, headers: ['Link'] },
    handle: listClients,
  },
  {
    method: 'POST', path: '/tenants/{tenant}/clients', operationId: 'createClient', tag: 'clients', scope: 'clients:write',
    summary: 'Register a client; a secret-based client gets its secret once',
    body: { schema: createClientSchema, required: true },
    ok: { status: 201, description: 'The new client (the ETag is the client\'s).', schema: s.clientWithSecretSchema, headers: ['ETag', 'Location'] },
    errors: [409],
    handle: createClient,
  },
  {
    method: 'GET', path: '/tenants/{tenant}/clients/{client_id}', operationId: 'getClient', tag: 'clients', scope: 'clients:read',
    summary: 'Show a client',
    ok: { status: 200, description: 'The client.', schema: s.clientViewSchema, headers: ['ETag'] },
    handle: showClient,
  },
  {
    method: 'PATCH', path: '/tenants/{tenant}/clients/{client_id}', operationId: 'updateClient', tag: 'clients', scope: 'clients:write',
    summary: 'Update a client (the members given replace the stored ones)',
    body: { schema: updateClientSchema, required: true },
    ok: { status: 200, description: 'The updated client; a secret when it newly needs one.', schema: s.clientWithSecretSchema, headers: ['ETag'] },
    errors: [409, 412],
    handle: updateClient,
  },
  {
    method: 'DELETE', path: '/tenants/{tenant}/clients/{client_id}', operationId: 'deleteClient', tag: 'clients', scope: 'clients:write',
    summary: 'Delete a client',
    ok: { status: 200, description: 'The client_id of the deleted client.', schema: s.deletedSchema },
    handle: deleteClient,
  },
  {
    method: 'POST', path: '/tenants/{tenant}/clients/{client_id}/rotate-secret', operationId: 'rotateClientSecret', tag: 'clients', scope: 'clients:write',
    summary: 'Issue a new client secret; the old one keeps working for `grace_period` seconds',
    body: { schema: rotateSecretSchema, required: false },
    ok: { status: 200, description: 'The client and its new secret (shown once).', schema: s.clientWithNewSecretSchema, headers: ['ETag'] },
    handle: rotateClientSecret,
  },

  // ---------------------------------------------------------------- signing keys
  {
    method: 'GET', path: '/tenants/{tenant}/keys', operationId: 'listKeys', tag: 'keys', scope: 'keys:read',
    summary: 'List the signing keys of a tenant',
    ok: { status: 200, description: 'The tenant\'s signing keys.', schema: s.keyListSchema },
    handle: listKeys,
  },
  {
    method: 'POST', path: '/tenants/{tenant}/keys/rotate', operationId: 'rotateKey', tag: 'keys', scope: 'keys:write',
    summary: 'Add a signing key for an algorithm; it signs after `delay` seconds, when the current one retires',
    body: { schema: rotateKeySchema, required: true },
    ok: { status: 201, description: 'The new key and the key it replaces.', schema: s.keyRotationSchema },
    errors: [409],
    handle: rotateKey,
  },
  {
    method: 'POST', path: '/tenants/{tenant}/keys/{kid}/retire', operationId: 'retireKey', tag: 'keys', scope: 'keys:write',
    summary: 'Stop a key signing now; it stays published until its tokens expire',
    body: { schema: s.emptyBody, required: false },
    ok: { status: 200, description: 'The retired key.', schema: s.keyViewSchema },
    handle: retireKey,
  },

  // ---------------------------------------------------------------- users
  {
    method: 'GET', path: '/tenants/{tenant}/users', operationId: 'listUsers', tag: 'users', scope: 'users:read',
    summary: 'List the users of a tenant, oldest first; `search` matches email, name or external_id',
    query: s.userListQuery,
    ok: { status: 200, description: 'A page of users.', schema: s.userPageSchema, headers: ['Link'] },
    handle: listUsers,
  },
  {
    method: 'POST', path: '/tenants/{tenant}/users', operationId: 'createUser', tag: 'users', scope: 'users:write',
    summary: 'Create a user, optionally with a password (checked against the tenant\'s password policy, stored as argon2id)',
    body: { schema: createUserSchema, required: true },
    ok: { status: 201, description: 'The new user.', schema: s.userViewSchema, headers: ['ETag', 'Location'] },
    errors: [409],
    handle: createUser,
  },
  {
    method: 'GET', path: '/tenants/{tenant}/users/{user}', operationId: 'getUser', tag: 'users', scope: 'users:read',
    summary: 'Show a user',
    ok: { status: 200, description: 'The user.', schema: s.userViewSchema, headers: ['ETag'] },
    handle: showUser,
  },
  {
    method: 'PATCH', path: '/tenants/{tenant}/users/{user}', operationId: 'updateUser', tag: 'users', scope: 'users:write',
    summary: 'Update a user\'s profile (members given replace the stored ones, null clears; `attributes` is a JSON Merge Patch); a new email is unverified unless `email_verified` is given',
    body: { schema: updateUserSchema, required: true },
    ok: { status: 200, description: 'The updated user.', schema: s.userViewSchema, headers: ['ETag'] },
    errors: [409, 412],
    handle: updateUser,
  },
  {
    method: 'DELETE', path: '/tenants/{tenant}/users/{user}', operationId: 'deleteUser', tag: 'users', scope: 'users:write',
    summary: 'Erase a user and everything held about them (GDPR Art. 17): sessions, tokens, consents, credentials, devices, mail; the audit log keeps only their id',
    ok: { status: 200, description: 'The id of the deleted user.', schema: s.deletedSchema },
    handle: deleteUser,
  },
  {
    method: 'POST', path: '/tenants/{tenant}/users/{user}/disable', operationId: 'disableUser', tag: 'users', scope: 'users:write',
    summary: 'Disable a user: they are signed out everywhere, their tokens are refused and they cannot sign in',
    body: { schema: s.emptyBody, required: false },
    ok: { status: 200, description: 'The disabled user.', schema: s.userViewSchema, headers: ['ETag'] },
    handle: disableUser,
  },
  {
    method: 'POST', path: '/tenants/{tenant}/users/{user}/enable', operationId: 'enableUser', tag: 'users', scope: 'users:write',
    summary: 'Enable a disabled user',
    body: { schema: s.emptyBody, required: false },
    ok: { status: 200, description: 'The enabled user.', schema: s.userViewSchema, headers: ['ETag'] },
    handle: enableUser,
  },
  {
    method: 'PUT', path: '/tenants/{tenant}/users/{user}/password', operationId: 'setUserPassword', tag: 'users', scope: 'users:write',
    summary: 'Set a user\'s password; signs them out everywhere unless `revoke_sessions` is false',
    body: { schema: setPasswordSchema, required: true },
    ok: { status: 200, description: 'What was revoked with the change.', schema: s.accessRevocationSchema },
    handle: setUserPassword,
  },
  {
    method: 'GET', path: '/tenants/{tenant}/users/{user}/sessions', operationId: 'listUserSessions', tag: 'users', scope: 'users:read',
    summary: 'List a user\'s live sessions',
    ok: { status: 200, description: 'The user\'s live sessions, newest first.', schema: s.sessionListSchema },
    handle: listUserSessions,
  },
  {
    method: 'DELETE', path: '/tenants/{tenant}/users/{user}/sessions', operationId: 'revokeUserSessions', tag: 'users', scope: 'users:write',
    summary: 'Sign a user out everywhere: every session ends, every refresh token is revoked, their access tokens are refused',
    ok: { status: 200, description: 'What was revoked.', schema: s.accessRevocationSchema },
    handle: revokeUserSessions,
  },
  {
    method: 'DELETE', path: '/tenants/{tenant}/users/{user}/sessions/{session}', operationId: 'revokeUserSession', tag: 'users', scope: 'users:write',
    summary: 'End one session of a user (access tokens carrying its sid are refused)',
    ok: { status: 200, description: 'What was revoked. 404 when the user has no live session with that id.', schema: s.accessRevocationSchema },
    handle: revokeUserSession,
  },
  {
    method: 'GET', path: '/tenants/{tenant}/users/{user}/data-export', operationId: 'exportUserData', tag: 'users', scope: 'users:read',
    summary: 'Everything held about a user, as one JSON document (GDPR Art. 15 and 20); never secrets or hashes',
    ok: { status: 200, description: 'The user\'s data.', schema: s.userDataExportSchema },
    handle: exportUserData,
  },

  // ---------------------------------------------------------------- users' consents
  {
    method: 'GET', path: '/tenants/{tenant}/users/{user}/consents', operationId: 'listUserConsents', tag: 'users', scope: 'users:read',
    summary: 'List the clients a user has consented to, with the scopes',
    ok: { status: 200, description: 'The user\'s consents, oldest first.', schema: s.consentListSchema },
    handle: listConsents,
  },
  {
    method: 'DELETE', path: '/tenants/{tenant}/users/{user}/consents', operationId: 'revokeAllUserConsents', tag: 'users', scope: 'users:write',
    summary: 'Revoke every consent of a user: their tokens and pending codes stop working at once; clients must ask again',
    ok: { status: 200, description: 'The consents revoked (none is not an error).', schema: s.consentRevocationSchema },
    handle: revokeAllConsents,
  },
  {
    method: 'DELETE', path: '/tenants/{tenant}/users/{user}/consents/{client_id}', operationId: 'revokeUserConsent', tag: 'users', scope: 'users:write',
    summary: 'Revoke a user\'s consent to a client: its refresh and access tokens and pending codes stop working at once; the client must ask again',
    ok: { status: 200, description: 'The consent revoked. 404 when the user has no live consent to that client.', schema: s.consentRevocationSchema },
    handle: revokeConsent,
  },

  // ---------------------------------------------------------------- audit log
  {
    method: 'GET', path: '/tenants/{tenant}/audit', operationId: 'listAuditEvents', tag: 'audit', scope: 'audit:read',
    summary: 'List the audit events of a tenant, newest first (or, with `after`, the events after a seq, oldest first)',
    query: s.auditListQuery,
    ok: { status: 200, description: 'A page of audit events.', schema: s.auditPageSchema, headers: ['Link'] },
    handle: listAuditEvents,
  },
  {
    method: 'GET', path: '/tenants/{tenant}/audit/verify', operationId: 'verifyAuditChain', tag: 'audit', scope: 'audit:read',
    summary: 'Recompute the tenant\'s audit chain: intact with its head hash, or the seq where it breaks',
    ok: { status: 200, description: 'The verification result (a broken chain is a 200 with `intact: false`).', schema: s.auditVerifySchema },
    handle: verifyAuditChain,
  },

  // ---------------------------------------------------------------- security events
  {
    method: 'GET', path: '/tenants/{tenant}/security-events', operationId: 'listSecurityEvents', tag: 'security', scope: 'security:read',
    summary: 'List the security events of a tenant, newest first: lockouts, new devices, refresh-token reuse, password and email changes, API keys used from new addresses',
    query: s.securityEventListQuery,
    ok: { status: 200, description: 'A page of security events.', schema: s.securityEventPageSchema, headers: ['Link'] },
    handle: listSecurityEvents,
  },
  {
    method: 'POST', path: '/tenants/{tenant}/users/{user}/unlock', operationId: 'unlockUser', tag: 'users', scope: 'users:write',
    summary: 'Clear the lockout of a user: passwords are accepted again at once from every address (docs/abuse.md)',
    body: { schema: s.emptyBody, required: false },
    ok: { status: 200, description: 'The user and how many lockout counters were cleared.', schema: s.unlockSchema },
    handle: unlockUser,
  },

  // ---------------------------------------------------------------- API keys
  {
    method: 'GET', path: '/api-keys', operationId: 'listApiKeys', tag: 'api-keys', scope: 'apikeys:read',
    summary: 'List API keys (a tenant key sees its tenant\'s only)',
    query: s.apiKeyListQuery,
    ok: { status: 200, description: 'A page of API keys.', schema: s.apiKeyPageSchema, headers: ['Link'] },
    errors: [404],
    handle: listApiKeys,
  },
  {
    method: 'POST', path: '/api-keys', operationId: 'createApiKey', tag: 'api-keys', scope: 'apikeys:write',
    summary: 'Create an API key (with scopes the acting key holds); the token is shown once',
    body: { schema: createApiKeySchema, required: true },
    ok: { status: 201, description: 'The new key and its token.', schema: s.apiKeyCreatedSchema },
    errors: [404],
    handle: createApiKey,
  },
  {
    method: 'DELETE', path: '/api-keys/{id}', operationId: 'revokeApiKey', tag: 'api-keys', scope: 'apikeys:write',
    summary: 'Revoke an API key; it is refused from the next request on',
    ok: { status: 200, description: 'The revoked key.', schema: s.apiKeyViewSchema },
    handle: revokeApiKey,
  },

  // ---------------------------------------------------------------- mail
  {
    method: 'GET', path: '/mail', operationId: 'listMail', tag: 'mail', scope: 'users:read',
    summary: 'List the mail outbox, newest first, without bodies (a tenant key sees its tenant\'s only)',
    query: s.mailListQuery,
    ok: { status: 200, description: 'A page of outbox items.', schema: s.mailPageSchema, headers: ['Link'] },
    errors: [404],
    handle: listMail,
  },
  {
    method: 'GET', path: '/mail/{mail}', operationId: 'getMail', tag: 'mail', scope: 'users:write',
    summary: 'Show one message with its text and HTML bodies; they may hold a live single-use link, hence users:write',
    ok: { status: 200, description: 'The message.', schema: s.mailViewSchema },
    handle: showMail,
  },

  // ---------------------------------------------------------------- usage
  {
    method: 'GET', path: '/usage', operationId: 'getUsage', tag: 'usage', scope: 'usage:read',
    summary: 'Monthly active users per tenant and one breakdown of the month (by day, sign-in method, client, browser, OS, device, failure)',
    query: s.usageQuery,
    ok: { status: 200, description: 'The month\'s usage.', schema: s.usageViewSchema },
    errors: [404],
    handle: showUsage,
  },
  {
    method: 'GET', path: '/usage/records', operationId: 'listUsageRecords', tag: 'usage', scope: 'usage:read',
    summary: 'Every daily usage counter of the month, and each tenant\'s MAU (metric `mau`), as `usage export` writes them',
    query: s.usageRecordsQuery,
    ok: { status: 200, description: 'The month\'s counters.', schema: s.usageRecordListSchema },
    errors: [404],
    handle: listUsageRecords,
  },

  // ---------------------------------------------------------------- meta
  {
    method: 'GET', path: '/server', operationId: 'getServerStatus', tag: 'meta', scope: 'authenticated',
    summary: "This server: version, clock and readiness (any valid API key; `authflow doctor --url` reads it)",
    ok: { status: 200, description: 'What the server reports about itself.', schema: s.serverStatusSchema },
    handle: serverStatus,
  },
  {
    method: 'GET', path: '/openapi.json', operationId: 'getOpenApiDocument', tag: 'meta', scope: null,
    summary: 'This OpenAPI 3.1 document (no authentication)',
    ok: { status: 200, description: 'The OpenAPI document.', schema: s.openApiDocumentSchema },
    handle: serveOpenApi(() => API_ROUTES),
  },
];
