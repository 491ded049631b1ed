import type { H3Event } from 'h3';
import { REVOCATION_AUTH_METHODS } from '../../../core/oauth/client-auth/index.ts';
import { revoke as revokeToken } from '../../../core/oauth/revocation.ts';
import { readForm } from '../internal/form.ts';
import { clientAuthRequest } from '../internal/reply.ts';
import type { OAuthContext } from '../context.ts';
import { tenantOf } from '../tenant.ts';
import { reply } from '../../reply.ts';

/** POST /t/:tenant/revoke — RFC 7009 §2: revoke one of the client's tokens; 200 whether or not there was one (§2.2). */
export function revoke(ctx: OAuthContext) {
  return async (event: H3Event): Promise<Response> => {
    const { tenant, issuer } = await tenantOf(event, ctx.deps);
    const params = await readForm(event);
    const client = await ctx.clientAuth.authenticate(clientAuthRequest(event, ctx.deps, tenant, issuer, params), REVOCATION_AUTH_METHODS);
    await revokeToken(ctx.deps, { tenant, issuer, client, params });
    return reply(null, 200, { 'cache-control': 'no-store', pragma: 'no-cache' });
  };
}
