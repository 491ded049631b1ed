import type { H3Event } from 'h3';
import { hasScope, type ApiScope, type Principal } from '../../core/admin/index.ts';
import { apiKeyFailureBudgets, authenticateApiKey } from '../../core/apikeys/authenticate.ts';
import { clientIp } from '../client-ip.ts';
import { requestLog, setActor } from '../context.ts';
import type { ServerDeps } from '../deps.ts';
import { MissingScope, Unauthorized } from './errors.ts';

// RFC 6750 §2.1: "Bearer" 1*SP b64token. The scheme is case-insensitive (RFC 9110 §11.1).
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The principal behind the request's bearer API key. Every failure is the
 * same 401; a request without bearer credentials gets it without an error code.
 */
export async function authenticate(event: H3Event, deps: ServerDeps): Promise<Principal> {
  const header = event.req.headers.get('authorization') ?? '';
  if (!/^Bearer(\s|$)/i.test(header)) throw new Unauthorized(false);
  const token = BEARER.exec(header)?.[1];
  const principal = token ? await authenticateApiKey(token, deps.directory.apiKey, deps.clock.now()) : undefined;
  const ip = clientIp(event, deps.trustedProxies);
  if (!principal) {
    // Failures spend the budgets of the key's lookup id and of the address: 429 + Retry-After once spent (docs/abuse.md).
    await deps.failures.fail(apiKeyFailureBudgets(token, ip), 'api_key');
    throw new Unauthorized(true);
  }
  deps.usage.record(principal.apiKeyId);
  if ((await deps.apiKeyAddresses.note(principal, ip)) && !principal.tenantId) requestLog(event).warn({ api_key_id: principal.apiKeyId, ip }, 'instance API key used from a new address');
  // The request's log lines (the access line included) say which key acted, for which tenant.
  setActor(event, { api_key_id: principal.apiKeyId, ...(principal.tenantId ? { tenant_id: principal.tenantId } : {}) });
  return principal;
}

/** Refuses a key without the route's scope before the body is read. The core checks it again. */
export function requireRouteScope(principal: Principal, scope: ApiScope): void {
  if (!hasScope(principal, scope)) throw new MissingScope(scope);
}
