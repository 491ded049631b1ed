import type { H3Event } from 'h3';
import { InvalidBearerRequest, MissingToken } from '../../../core/oauth/errors.ts';
import type { OAuthContext } from '../context.ts';
import { readForm } from '../internal/form.ts';
import { noStoreJson } from '../internal/reply.ts';
import { tenantOf } from '../tenant.ts';

/**
 * GET|POST /t/:tenant/userinfo — OIDC Core §5.3. The bearer token comes in the
 * Authorization header (RFC 6750 §2.1) or, on POST, in a form body (§2.2);
 * never in the query (RFC 9700 §4.3.2; RFC 6750 §2.3 is not offered) and
 * never two ways at once (RFC 6750 §2). CORS: the route table's `clients` policy.
 */
export function userinfo(ctx: OAuthContext) {
  return async (event: H3Event): Promise<Response> => {
    const { tenant, issuer } = await tenantOf(event, ctx.deps);
    const token = await bearerToken(event);
    const { claims } = await ctx.deps.userInfo(tenant, issuer, token);
    return noStoreJson(claims);
  };
}

async function bearerToken(event: H3Event): Promise<string> {
  const req = event.req;
  if (new URL(req.url).searchParams.has('access_token')) throw new InvalidBearerRequest('the access token must not be sent in the query string');
  const fromHeader = headerToken(req.headers.get('authorization'));
  const isForm = req.method === 'POST' && req.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
  const fromBody = isForm ? (await readForm(event)).get('access_token') : undefined;
  if (fromHeader !== undefined && fromBody !== undefined) throw new InvalidBearerRequest('the access token must be sent one way only');
  const token = fromHeader ?? fromBody;
  if (token === undefined) throw new MissingToken();
  return token;
}

/** RFC 6750 §2.1: `Bearer <b64token>`; the scheme is case-insensitive (RFC 9110 §11.1). Another scheme is no bearer token. */
function headerToken(value: string | null): string | undefined {
  if (value === null || !/^Bearer(?: |$)/i.test(value)) return undefined;
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(value);
  if (!m) throw new InvalidBearerRequest('the Authorization header is not a valid Bearer credential');
  return m[1];
}
