import type { H3Event } from 'h3';
import { TOKEN_ENDPOINT_AUTH_METHODS } from '../../../core/oauth/client-auth/index.ts';
import { readForm } from '../internal/form.ts';
import { clientAuthRequest, noStoreJson } from '../internal/reply.ts';
import type { OAuthContext } from '../context.ts';
import { tenantOf } from '../tenant.ts';

/** POST /t/:tenant/token — RFC 6749 §3.2: authenticate the client, run the grant, answer §5.1 (no-store). */
export function token(ctx: OAuthContext) {
  return async (event: H3Event): Promise<Response> => {
    const { tenant, issuer } = await tenantOf(event, ctx.deps);
    const params = await readForm(event);
    const client = await ctx.clientAuth.authenticate(clientAuthRequest(event, ctx.deps, tenant, issuer, params), TOKEN_ENDPOINT_AUTH_METHODS);
    return noStoreJson(await ctx.exchange({ tenant, issuer, client, params }));
  };
}
