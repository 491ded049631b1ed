import type { H3Event } from 'h3';
import { INTROSPECTION_AUTH_METHODS } from '../../../core/oauth/client-auth/index.ts';
import { introspect as introspectToken } from '../../../core/oauth/introspection.ts';
import { readForm } from '../internal/form.ts';
import { clientAuthRequest, noStoreJson } from '../internal/reply.ts';
import type { OAuthContext } from '../context.ts';
import { tenantOf } from '../tenant.ts';

/** POST /t/:tenant/introspect — RFC 7662 §2: the state of one of the authenticated client's own tokens. */
export function introspect(ctx: OAuthContext) {
  return async (event: H3Event): Promise<Response> => {
    const { tenant, issuer } = await tenantOf(event, ctx.deps);
    const params = await readForm(event);
    const client = await ctx.clientAuth.authenticate(clientAuthRequest(event, ctx.deps, tenant, issuer, params), INTROSPECTION_AUTH_METHODS);
    return noStoreJson(await introspectToken(ctx.deps, { tenant, issuer, client, params }));
  };
}
