import { resumeAccount, type AccountHolder } from '../../../core/users/account.ts';
import type { ServerDeps } from '../../deps.ts';
import { sessionSecretOf, type PageTenant } from '../context.ts';
import { csrfToken } from '../csrf.ts';
import { pageRoute, type PageRequest } from '../page-route.ts';

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

/** The signed-in user of the tenant's SSO session, or undefined when the browser has no live session. */
export async function signedInUser(req: PageRequest, deps: AccountServerDeps): Promise<SignedIn | undefined> {
  const secret = sessionSecretOf(req.event, req.t);
  const holder = await resumeAccount(deps.accounts, req.t.tenant, secret);
  if (!holder || !secret) return undefined;
  return { ...holder, t: req.t, secret, csrf: csrfToken(secret, ACCOUNT_CSRF) };
}

/** What an account handler gets: the page request, the signed-in user, and the posted form checked against the session. */
export interface AccountRequest extends PageRequest {
  readonly s: SignedIn;
  accountForm(): Promise<Map<string, string>>;
}

/** An account page route that needs the session: without one, the browser goes to the account page (which asks to sign in). */
export function accountRoute(deps: AccountServerDeps, handle: (req: AccountRequest) => Promise<Response>) {
  return pageRoute(deps, async (req) => {
    const s = await signedInUser(req, deps);
    if (!s) return seeOther(accountPath(req.t));
    return handle({ ...req, s, accountForm: () => req.form({ secret: s.secret, purpose: ACCOUNT_CSRF }) });
  });
}
