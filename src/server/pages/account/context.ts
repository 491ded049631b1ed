import type { H3Event } from 'h3';
import { resumeAccount, type AccountHolder } from '../../../core/users/account.ts';
import type { ServerDeps } from '../../deps.ts';
import { pageTenant, sessionSecretOf, type PageTenant } from '../context.ts';
import { csrfToken, csrfValid } from '../csrf.ts';
import { errorPage } from '../page.ts';
import { BadForm, formBody, singleValues } from '../params.ts';

export type AccountServerDeps = Pick<ServerDeps, 'directory' | 'publicUrl' | 'accounts' | 'trustedProxies'>;

/** The CSRF purpose of every account form: bound to the session cookie's secret (src/server/pages/csrf.ts). */
export const ACCOUNT_CSRF = 'account';

/** A request from a signed-in user on the account page. */
export interface SignedIn extends AccountHolder {
  readonly t: PageTenant;
  /** The session cookie's secret (CSRF tokens derive from it). */
  readonly secret: string;
  readonly csrf: string;
}

/** The account page's URL path under the tenant (`/t/slug/account…`). */
export const accountPath = (t: PageTenant, rest = ''): string => `${t.base}/account${rest}`;

/** A 303 (Post/Redirect/Get) to an account URL. */
export function seeOther(location: string, headers: Headers = new Headers()): Response {
  headers.set('location', location);
  headers.set('cache-control', 'no-store');
  return new Response(null, { status: 303, headers });
}

/**
 * The signed-in user of the tenant's SSO session, or `undefined` (with the
 * tenant) when the browser has no live session; an HTML 404 for an unknown tenant.
 */
export async function accountRequest(event: H3Event, deps: AccountServerDeps): Promise<Response | { t: PageTenant; signed: SignedIn | undefined }> {
  const t = await pageTenant(event, deps);
  if (t instanceof Response) return t;
  const secret = sessionSecretOf(event, t);
  const holder = await resumeAccount(deps.accounts, t.tenant, secret);
  if (!holder || !secret) return { t, signed: undefined };
  return { t, signed: { ...holder, t, secret, csrf: csrfToken(secret, ACCOUNT_CSRF) } };
}

/** The same for a handler that needs the session: without one, the browser goes to the account page (which asks to sign in). */
export async function requireAccount(event: H3Event, deps: AccountServerDeps): Promise<Response | SignedIn> {
  const r = await accountRequest(event, deps);
  if (r instanceof Response) return r;
  return r.signed ?? seeOther(accountPath(r.t));
}

/** A posted account form, read and checked against the session's CSRF token; or the error page. */
export async function accountForm(event: H3Event, s: SignedIn): Promise<Map<string, string> | Response> {
  let form: Map<string, string>;
  try {
    form = singleValues(await formBody(event));
  } catch (e) {
    if (e instanceof BadForm) return errorPage(400, 'The form could not be read', e.message, { tenantName: s.t.tenant.name });
    throw e;
  }
  if (!csrfValid(s.secret, ACCOUNT_CSRF, form.get('csrf'))) return csrfFailure(s.t);
  return form;
}

export function csrfFailure(t: PageTenant): Response {
  return errorPage(403, 'The form could not be verified', 'The page was not sent by this service, or it is out of date. Go back, reload the page and try again.', { code: 'csrf', tenantName: t.tenant.name });
}
