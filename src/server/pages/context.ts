import type { H3Event } from 'h3';
import { clientIp } from '../client-ip.ts';
import type { Tenant } from '../../core/tenants/tenant.ts';
import type { ServerDeps } from '../deps.ts';
import { tenantOf } from '../oauth/tenant.ts';
import { cookieValue, secureIssuer, sessionCookieName } from './cookies.ts';

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

const SHOWN = Symbol('authflow.page-tenant');

/** The tenant of a page route (UnknownTenant, the 404 page, when there is none); the error page then shows its name. */
export async function pageTenant(event: H3Event, deps: Pick<ServerDeps, 'directory' | 'publicUrl'> & Partial<Pick<ServerDeps, 'quotas'>>): Promise<PageTenant> {
  const { tenant, issuer } = await tenantOf(event, deps);
  const secure = secureIssuer(issuer);
  const t = { tenant, issuer, base: new URL(issuer).pathname.replace(/\/$/, ''), secure, sessionCookie: sessionCookieName(tenant.slug, secure) };
  (event.context as Record<symbol, unknown>)[SHOWN] = t;
  return t;
}

/** The name of the tenant whose page this is, once resolved (the error page is in its look). */
export function shownTenantOf(event: H3Event): string | undefined {
  return ((event.context as Record<symbol, unknown>)[SHOWN] as PageTenant | undefined)?.tenant.name;
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
