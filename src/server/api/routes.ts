import {
  createApiKeySchema,
  createClientSchema,
  createTenantSchema,
  rotateKeySchema,
  rotateSecretSchema,
  updateClientSchema,
  updateTenantSchema,
} from '../../core/admin/index.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './handlers/api-keys.ts';
import { listConsents, revokeAllConsents, revokeConsent } from './handlers/consents.ts';
import { createClient, deleteClient, listClients, rotateClientSecret, showClient, updateClient } from './handlers/clients.ts';
import { listKeys, retireKey, rotateKey } from './handlers/keys.ts';
import { serveOpenApi } from './handlers/openapi.ts';
import { createTenant, deleteTenant, listTenants, showTenant, updateTenant } from './handlers/tenants.ts';
import type { ApiRoute } from './route.ts';
import * as s from './schemas.ts';

/**
 * The management API (`/api/v1`): the one table that both registers the h3
 * routes (src/server/api/register.ts) and describes them (GET /openapi.json).
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

  // ---------------------------------------------------------------- meta
  {
    method: 'GET', path: '/openapi.json', operationId: 'getOpenApiDocument', tag: 'meta', scope: null,
    summary: 'This OpenAPI 3.1 document (no authentication)',
    ok: { status: 200, description: 'The OpenAPI document.', schema: s.openApiDocumentSchema },
    handle: serveOpenApi(() => API_ROUTES),
  },
];
