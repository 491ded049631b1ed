import { HTTPError, type H3Event } from 'h3';
import { clientIp } from '../client-ip.ts';
import { RateLimited } from '../../core/errors.ts';
import type { Tenant } from '../../core/tenants/tenant.ts';
import type { ServerDeps } from '../deps.ts';
import { tenantOf } from '../oauth/tenant.ts';
import { cookieValue, secureIssuer, sessionCookieName } from './cookies.ts';
import { errorPage } from './page.ts';

/** What a hosted-page handler knows about its tenant. */
export interface PageTenant {
  readonly tenant: Tenant;
  readonly issuer: string;
  /** The issuer's path ('/t/slug', or '' on a custom domain): links and form actions hang under it. */
  readonly base: string;
  /** Cookies are Secure and __Host- prefixed (https issuer). */
  readonly secure: boolean;
  readonly sessionCookie: string;
}

/** The tenant of a page route, or an HTML 404 page (a browser should not get JSON). */
export async function pageTenant(event: H3Event, deps: Pick<ServerDeps, 'directory' | 'publicUrl'> & Partial<Pick<ServerDeps, 'quotas'>>): Promise<PageTenant | Response> {
  try {
    const { tenant, issuer } = await tenantOf(event, deps);
    const secure = secureIssuer(issuer);
    return { tenant, issuer, base: new URL(issuer).pathname.replace(/\/$/, ''), secure, sessionCookie: sessionCookieName(tenant.slug, secure) };
  } catch (e) {
    if (e instanceof HTTPError && e.status === 404) return errorPage(404, 'Unknown sign-in service', 'There is no such tenant here.');
    if (e instanceof RateLimited) return errorPage(429, 'Too many requests', e.message, { retryAfter: e.retryAfter });
    throw e;
  }
}

/** The SSO session cookie's secret, if the browser sent one. */
export function sessionSecretOf(event: H3Event, t: PageTenant): string | undefined {
  return cookieValue(event, t.sessionCookie);
}

/** User agent and client IP recorded with a new session (IP from X-Forwarded-For only behind a trusted proxy). */
export function deviceOf(event: H3Event, deps: Pick<ServerDeps, 'trustedProxies'>): { userAgent: string | null; ip: string | null } {
  const ua = event.req.headers.get('user-agent');
  return { userAgent: ua ? ua.slice(0, 512) : null, ip: clientIp(event, deps.trustedProxies) };
}
