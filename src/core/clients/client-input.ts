import { z } from 'zod';
import { SIGNING_ALGS } from '../../crypto/index.ts';
import { ValidationFailed } from '../errors.ts';
import { GRANT_TYPES } from '../oauth/grant-types/grant-type.ts';
import { scopesOf, type TenantSettings } from '../tenants/settings.ts';
import { AUTH_METHODS } from './client.ts';
import { originProblem, redirectUriProblem } from './redirect-uri.ts';

const uri = (problem: (s: string) => string | undefined) => z.string().superRefine((s, ctx) => {
  const p = problem(s);
  if (p) ctx.addIssue({ code: 'custom', message: `"${s}" ${p}` });
});
const list = <T extends z.ZodType>(item: T, max = 50) => z.array(item).max(max);
const jwk = z.looseObject({ kty: z.string(), kid: z.string().optional() }).refine((k) => !('d' in k) && !('p' in k) && !('k' in k), 'must be a public key (no private or symmetric members)');

/** Client fields an admin may set (create and update share it; update takes any subset). */
export const clientFieldsSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  type: z.enum(['confidential', 'public']),
  redirect_uris: list(uri(redirectUriProblem)),
  post_logout_redirect_uris: list(uri(redirectUriProblem)),
  grant_types: list(z.enum(GRANT_TYPES), 3),
  scopes: list(z.string().min(1).max(64), 100),
  audiences: list(z.string().min(1).max(500), 20),
  token_endpoint_auth_method: z.enum(AUTH_METHODS),
  jwks: z.strictObject({ keys: z.array(jwk).min(1).max(20) }).nullable(),
  jwks_uri: z.url({ protocol: /^https$/, error: 'must be an https URL' }).nullable(),
  id_token_signed_response_alg: z.enum(SIGNING_ALGS),
  access_token_ttl: z.number().int().min(60).max(86_400).nullable(),
  refresh_token_ttl: z.number().int().min(300).max(365 * 86_400).nullable(),
  first_party: z.boolean(),
  cors_origins: list(uri(originProblem)),
});

export type ClientFields = z.output<typeof clientFieldsSchema>;

export const createClientSchema = clientFieldsSchema.partial().required({ name: true });
export const updateClientSchema = clientFieldsSchema.partial();

/** Defaults for a new client of a type. */
export function clientDefaults(type: 'confidential' | 'public'): Omit<ClientFields, 'name'> {
  return {
    type,
    redirect_uris: [],
    post_logout_redirect_uris: [],
    grant_types: ['authorization_code', 'refresh_token'],
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    audiences: [],
    token_endpoint_auth_method: type === 'public' ? 'none' : 'client_secret',
    jwks: null,
    jwks_uri: null,
    id_token_signed_response_alg: 'RS256',
    access_token_ttl: null,
    refresh_token_ttl: null,
    first_party: false,
    cors_origins: [],
  };
}

/** Rules that involve several fields or the tenant's settings. Throws ValidationFailed naming the field. */
export function checkClient(c: ClientFields, settings: TenantSettings): void {
  const fail = (field: string, message: string): never => {
    throw new ValidationFailed(field, message);
  };
  if (c.type === 'public' && c.token_endpoint_auth_method !== 'none') fail('token_endpoint_auth_method', 'a public client cannot authenticate; use "none" (PKCE protects it)');
  if (c.type === 'confidential' && c.token_endpoint_auth_method === 'none') fail('token_endpoint_auth_method', 'a confidential client must authenticate; use client_secret (Basic or form body), client_secret_basic, client_secret_post or private_key_jwt');
  if (c.token_endpoint_auth_method === 'private_key_jwt' && !c.jwks && !c.jwks_uri) fail('jwks', 'private_key_jwt needs the client\'s public keys: set jwks or jwks_uri');
  if (c.jwks && c.jwks_uri) fail('jwks_uri', 'set jwks or jwks_uri, not both');
  for (const g of c.grant_types) if (!settings.grant_types.includes(g)) fail('grant_types', `"${g}" is not allowed in this tenant (allowed: ${settings.grant_types.join(', ')})`);
  if (c.type === 'public' && c.grant_types.includes('client_credentials')) fail('grant_types', 'a public client cannot use client_credentials');
  if (c.grant_types.includes('authorization_code') && c.redirect_uris.length === 0) fail('redirect_uris', 'the authorization_code grant needs at least one redirect URI');
  if (c.grant_types.includes('refresh_token') && !c.grant_types.includes('authorization_code')) fail('grant_types', 'refresh_token is issued only with authorization_code');
  if (c.grant_types.length === 0) fail('grant_types', 'at least one grant type is required');
  const known = scopesOf(settings);
  for (const s of c.scopes) if (!known.has(s)) fail('scopes', `"${s}" is not defined in this tenant (define it in the tenant's settings.scopes)`);
  if (new Set(c.redirect_uris).size !== c.redirect_uris.length) fail('redirect_uris', 'contains duplicates');
}
