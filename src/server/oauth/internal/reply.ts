import type { H3Event } from 'h3';
import type { ClientAuthRequest } from '../../../core/oauth/client-auth/index.ts';
import { TOKEN_ENDPOINT } from '../../../core/oauth/metadata/endpoints.ts';
import type { Tenant } from '../../../core/tenants/tenant.ts';
import { clientIp } from '../../client-ip.ts';
import type { ServerDeps } from '../../deps.ts';
import { reply } from '../../reply.ts';

/** RFC 6749 §5.1: token-endpoint-style JSON answers are never cached. */
export function noStoreJson(body: unknown, status = 200): Response {
  return reply(JSON.stringify(body), status, { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache' });
}

/** What client authentication needs from the HTTP request. */
export function clientAuthRequest(event: H3Event, deps: Pick<ServerDeps, 'trustedProxies'>, tenant: Tenant, issuer: string, params: ReadonlyMap<string, string>): ClientAuthRequest {
  return { tenant, issuer, tokenEndpoint: `${issuer}${TOKEN_ENDPOINT.endpoint.path}`, authorization: event.req.headers.get('authorization'), params, ip: clientIp(event, deps.trustedProxies) };
}
