import { settingsOf } from '../../tenants/tenant.ts';
import { scopesOf } from '../../tenants/settings.ts';
import { InvalidRequest, InvalidScope } from '../errors.ts';
import { list, param, type CheckContext } from '../authorize/context.ts';

/**
 * RFC 6749 §3.3 / §4.1.2.1: every requested scope must be known to the tenant
 * and registered for the client (invalid_scope otherwise). OIDC Core
 * §3.1.2.1: an OpenID Connect request has `openid`; without it the request is
 * plain OAuth 2.0 and gets no ID token. An absent scope is refused rather
 * than defaulted (RFC 6749 §3.3 lets the server choose).
 */
export function checkScope(ctx: CheckContext): void {
  const raw = param(ctx, 'scope');
  if (!raw) throw new InvalidRequest('the scope parameter is missing (OpenID Connect requests include "openid")');
  if (raw.length > 2000) throw new InvalidRequest('the scope parameter is too long');
  const scopes = list(raw);
  const known = scopesOf(settingsOf(ctx.tenant));
  const allowed = new Set(ctx.client!.scopes);
  const refused = scopes.filter((s) => !known.has(s) || !allowed.has(s));
  if (refused.length) throw new InvalidScope(`scope not allowed for this client: ${refused.slice(0, 5).map((s) => s.slice(0, 64)).join(' ')}`);
  ctx.request.scopes = scopes;
}
