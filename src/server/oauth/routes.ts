import type { H3Event } from 'h3';
import type { Capability, EndpointCapability } from '../../core/oauth/metadata/capability.ts';
import { AUTHORIZATION_ENDPOINT, END_SESSION_ENDPOINT } from '../../core/oauth/metadata/browser-endpoints.ts';
import { INTROSPECTION_ENDPOINT, JWKS, PROVIDER, REVOCATION_ENDPOINT, TOKEN_ENDPOINT } from '../../core/oauth/metadata/endpoints.ts';
import { USERINFO_ENDPOINT } from '../../core/oauth/metadata/userinfo.ts';
import type { OAuthContext } from './context.ts';
import { authorize } from './handlers/authorize.ts';
import { discovery } from './handlers/discovery.ts';
import { introspect } from './handlers/introspect.ts';
import { jwks } from './handlers/jwks.ts';
import { logout } from './handlers/logout.ts';
import { revoke } from './handlers/revoke.ts';
import { token } from './handlers/token.ts';
import { userinfo } from './handlers/userinfo.ts';
import type { CorsPolicy } from './internal/cors.ts';

type Handler = (event: H3Event) => Promise<Response>;

/** One per-tenant OAuth/OIDC route. */
export interface OAuthRoute {
  readonly method: 'GET' | 'POST';
  /** Under the tenant's base path `/t/:tenant`. */
  readonly path: string;
  /** What serving this route adds to the tenant's metadata document (the document lists nothing else). */
  readonly capability?: Capability;
  readonly cors: CorsPolicy;
  readonly handler: (ctx: OAuthContext) => Handler;
}

/** An endpoint route: its path is the one its capability advertises. */
const at = (capability: EndpointCapability) => ({ path: capability.endpoint.path, capability });

/**
 * The per-tenant OAuth route table. Add an endpoint here with its capability
 * (e.g. `{ method: 'GET', ...at(USERINFO_ENDPOINT), cors: 'any', handler: userinfo }`)
 * and discovery advertises it.
 */
export const OAUTH_ROUTES: readonly OAuthRoute[] = [
  { method: 'GET', path: '/.well-known/openid-configuration', capability: PROVIDER, cors: 'any', handler: discovery },
  { method: 'GET', ...at(JWKS), cors: 'any', handler: jwks },
  { method: 'POST', ...at(TOKEN_ENDPOINT), cors: 'clients', handler: token },
  { method: 'POST', ...at(INTROSPECTION_ENDPOINT), cors: 'clients', handler: introspect },
  { method: 'POST', ...at(REVOCATION_ENDPOINT), cors: 'clients', handler: revoke },
  // OIDC Core §5.3.1: GET and POST; readable by the origins the tenant's clients registered.
  { method: 'GET', ...at(USERINFO_ENDPOINT), cors: 'clients', handler: userinfo },
  { method: 'POST', path: USERINFO_ENDPOINT.endpoint.path, cors: 'clients', handler: userinfo },
  // Browser endpoints (HTML, never CORS-readable): GET and POST each (OIDC Core §3.1.2.1; RP-Initiated Logout §2).
  { method: 'GET', ...at(AUTHORIZATION_ENDPOINT), cors: 'none', handler: (ctx) => authorize(ctx.deps) },
  { method: 'POST', path: AUTHORIZATION_ENDPOINT.endpoint.path, cors: 'none', handler: (ctx) => authorize(ctx.deps) },
  { method: 'GET', ...at(END_SESSION_ENDPOINT), cors: 'none', handler: (ctx) => logout(ctx.deps) },
  { method: 'POST', path: END_SESSION_ENDPOINT.endpoint.path, cors: 'none', handler: (ctx) => logout(ctx.deps) },
];

/** RFC 8414 §3: the metadata URL with the well-known segment inserted before the issuer's path. */
export const RFC8414_METADATA_PATH = '/.well-known/oauth-authorization-server/t/:tenant';

export const TENANT_BASE = '/t/:tenant';
