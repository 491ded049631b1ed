import { effectiveInstance, requireWithinLimit } from '../licensing/licensing.ts';
import { z } from 'zod';
import { randomString, sha256, typedSecret, uuidv7 } from '../../crypto/index.ts';
import { usesClientSecret, type Client } from '../clients/client.ts';
import { revokeGrant } from '../consents/revoke-grant.ts';
import { checkClient, clientDefaults, createClientSchema, updateClientSchema, type ClientFields } from '../clients/client-input.ts';
import { NotFound, NotPermitted, PreconditionFailed, ValidationFailed } from '../errors.ts';
import type { Stores } from '../ports.ts';
import { settingsOf, type Tenant } from '../tenants/tenant.ts';
import { parseInput } from '../validation.ts';
import type { AdminDeps, ListQuery } from './deps.ts';
import { findTenant, paginate } from './internal.ts';
import { recordAdminAudit } from './audit.ts';
import { requireScope, type Principal } from './principal.ts';
import { clientView, etagOf, ifMatchAllows, type ClientView, type Page } from './views.ts';

export const rotateSecretSchema = z.strictObject({
  /** Seconds the previous secret keeps working (0: revoke it now). */
  grace_period: z.number().int().min(0).max(30 * 86_400).default(0),
});

const toFields = (c: Client): ClientFields => ({
  name: c.name,
  type: c.type,
  redirect_uris: [...c.redirectUris],
  post_logout_redirect_uris: [...c.postLogoutRedirectUris],
  grant_types: [...c.grantTypes],
  scopes: [...c.scopes],
  audiences: [...c.audiences],
  token_endpoint_auth_method: c.tokenEndpointAuthMethod,
  jwks: c.jwks as ClientFields['jwks'],
  jwks_uri: c.jwksUri,
  id_token_signed_response_alg: c.idTokenSignedResponseAlg,
  access_token_ttl: c.accessTokenTtl,
  refresh_token_ttl: c.refreshTokenTtl,
  first_party: c.firstParty,
  cors_origins: [...c.corsOrigins],
});

const usesSecret = (f: Pick<ClientFields, 'type' | 'token_endpoint_auth_method'>) => f.type === 'confidential' && usesClientSecret(f.token_endpoint_auth_method);

/**
 * What create, update and rotate-secret answer: the client's fields at the top
 * level and, when one was just issued, the one-time `client_secret` beside them.
 */
/** Why a client with neither redirect URIs nor grant types is refused: the two kinds it could be. */
export const NEEDS_KIND = 'say what kind of client this is: redirect_uris for an app that signs users in, or grant_types ["client_credentials"] for a machine client';

export type ClientWithSecret = ClientView & { client_secret?: string };

export function clientAdmin(deps: AdminDeps) {
  const find = async (s: Stores, p: Principal, tenantRef: string, clientId: string): Promise<{ tenant: Tenant; client: Client }> => {
    const tenant = await findTenant(s, p, tenantRef);
    const client = await s.clients.byClientId(clientId);
    if (!client || client.tenantId !== tenant.id) throw new NotFound(`no client "${clientId}" in tenant ${tenant.slug}`);
    return { tenant, client };
  };
  const fromFields = (base: Omit<Client, keyof ClientFieldsMapped>, f: ClientFields): Client => ({
    ...base,
    name: f.name,
    type: f.type,
    redirectUris: f.redirect_uris,
    postLogoutRedirectUris: f.post_logout_redirect_uris,
    grantTypes: f.grant_types,
    scopes: [...new Set(f.scopes)],
    audiences: [...new Set(f.audiences)],
    tokenEndpointAuthMethod: f.token_endpoint_auth_method,
    jwks: f.jwks,
    jwksUri: f.jwks_uri,
    idTokenSignedResponseAlg: f.id_token_signed_response_alg,
    accessTokenTtl: f.access_token_ttl,
    refreshTokenTtl: f.refresh_token_ttl,
    firstParty: f.first_party,
    corsOrigins: f.cors_origins,
  });

  return {
    /** Registers a client. `client_secret` is returned once, for secret-based clients only. */
    async create(p: Principal, tenantRef: string, input: unknown): Promise<ClientWithSecret> {
      requireScope(p, 'clients:write');
      const body = parseInput(createClientSchema, input);
      if (deps.licenses) requireWithinLimit(effectiveInstance(await deps.licenses(), deps.clock.now()), 'clients', await deps.repo.clients.countAll());
      const type = body.type ?? (body.token_endpoint_auth_method === 'none' ? 'public' : 'confidential');
      const defaults = clientDefaults(type);
      // Guessing between a web app and a machine client would hand out the wrong kind of client.
      if (type === 'confidential' && !body.redirect_uris?.length && !body.grant_types) throw new ValidationFailed('redirect_uris', NEEDS_KIND);
      const fields: ClientFields = { ...defaults, ...stripUndefined(body), type } as ClientFields;
      return deps.repo.transaction(async (s) => {
        const tenant = await findTenant(s, p, tenantRef);
        checkClient(fields, settingsOf(tenant));
        const now = deps.clock.now();
        const secret = usesSecret(fields) ? typedSecret('cs') : undefined;
        const client = fromFields(
          { id: uuidv7(now), tenantId: tenant.id, clientId: randomString(16).replace(/[-_]/g, 'x'), secretHash: secret ? sha256(secret) : null, previousSecretHash: null, previousSecretExpiresAt: null, createdAt: now, updatedAt: now },
          fields,
        );
        await s.clients.insert(client);
        await recordAdminAudit(s, p, now, tenant.id, 'client.created', `client:${client.clientId}`, { name: client.name, type: client.type });
        return { ...clientView(client, tenant.slug), ...(secret ? { client_secret: secret } : {}) };
      });
    },

    async list(p: Principal, tenantRef: string, q: ListQuery = {}): Promise<Page<ClientView>> {
      requireScope(p, 'clients:read');
      const tenant = await findTenant(deps.repo, p, tenantRef);
      return paginate(q, (page) => deps.repo.clients.listByTenant(tenant.id, page), (c) => clientView(c, tenant.slug));
    },

    async show(p: Principal, tenantRef: string, clientId: string): Promise<ClientView> {
      requireScope(p, 'clients:read');
      const { tenant, client } = await find(deps.repo, p, tenantRef, clientId);
      return clientView(client, tenant.slug);
    },

    async update(p: Principal, tenantRef: string, clientId: string, input: unknown, ifMatch?: string): Promise<ClientWithSecret> {
      requireScope(p, 'clients:write');
      const patch = parseInput(updateClientSchema, input);
      return deps.repo.transaction(async (s) => {
        const { tenant, client } = await find(s, p, tenantRef, clientId);
        if (!ifMatchAllows(ifMatch, etagOf(clientView(client, tenant.slug)))) throw new PreconditionFailed();
        const fields: ClientFields = { ...toFields(client), ...stripUndefined(patch) } as ClientFields;
        checkClient(fields, settingsOf(tenant));
        // A client that newly needs a secret gets one (returned once); one that no longer uses it loses it.
        const secret = usesSecret(fields) && !client.secretHash ? typedSecret('cs') : undefined;
        const keepSecret = usesSecret(fields);
        const next = fromFields(
          {
            id: client.id,
            tenantId: client.tenantId,
            clientId: client.clientId,
            secretHash: secret ? sha256(secret) : keepSecret ? client.secretHash : null,
            previousSecretHash: keepSecret ? client.previousSecretHash : null,
            previousSecretExpiresAt: keepSecret ? client.previousSecretExpiresAt : null,
            createdAt: client.createdAt,
            updatedAt: Math.max(deps.clock.now(), client.updatedAt + 1),
          },
          fields,
        );
        await s.clients.update(next);
        await recordAdminAudit(s, p, next.updatedAt, tenant.id, 'client.updated', `client:${client.clientId}`, { changed: Object.keys(stripUndefined(patch)), new_secret: secret !== undefined });
        return { ...clientView(next, tenant.slug), ...(secret ? { client_secret: secret } : {}) };
      });
    },

    async delete(p: Principal, tenantRef: string, clientId: string): Promise<{ deleted: string }> {
      requireScope(p, 'clients:write');
      return deps.repo.transaction(async (s) => {
        const { tenant, client } = await find(s, p, tenantRef, clientId);
        // What the client was given dies with it: refresh families, and access tokens at once (grant revocations).
        const now = deps.clock.now();
        for (const grant of await s.grants.liveOfClient(tenant.id, client.clientId)) await revokeGrant(s, grant, now);
        await s.clients.delete(tenant.id, client.clientId);
        await recordAdminAudit(s, p, now, tenant.id, 'client.deleted', `client:${client.clientId}`, { name: client.name });
        return { deleted: client.clientId };
      });
    },

    /** Issues a new secret (returned once); the old one keeps working for `grace_period` seconds. */
    async rotateSecret(p: Principal, tenantRef: string, clientId: string, input: unknown = {}): Promise<ClientView & { client_secret: string }> {
      requireScope(p, 'clients:write');
      const { grace_period } = parseInput(rotateSecretSchema, input);
      return deps.repo.transaction(async (s) => {
        const { tenant, client } = await find(s, p, tenantRef, clientId);
        if (!client.secretHash) throw new NotPermitted(`client "${client.name}" does not authenticate with a secret (${client.tokenEndpointAuthMethod})`);
        const now = deps.clock.now();
        const secret = typedSecret('cs');
        const next: Client = {
          ...client,
          secretHash: sha256(secret),
          previousSecretHash: grace_period > 0 ? client.secretHash : null,
          previousSecretExpiresAt: grace_period > 0 ? now + grace_period * 1000 : null,
          updatedAt: Math.max(now, client.updatedAt + 1),
        };
        await s.clients.update(next);
        await recordAdminAudit(s, p, now, tenant.id, 'client.secret_rotated', `client:${client.clientId}`, { grace_period });
        return { ...clientView(next, tenant.slug), client_secret: secret };
      });
    },
  };
}

type ClientFieldsMapped = Pick<
  Client,
  | 'name' | 'type' | 'redirectUris' | 'postLogoutRedirectUris' | 'grantTypes' | 'scopes' | 'audiences' | 'tokenEndpointAuthMethod'
  | 'jwks' | 'jwksUri' | 'idTokenSignedResponseAlg' | 'accessTokenTtl' | 'refreshTokenTtl' | 'firstParty' | 'corsOrigins'
>;

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
