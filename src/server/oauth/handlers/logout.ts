import type { LogoutPlan } from '../../../core/oauth/logout.ts';
import type { ServerDeps } from '../../deps.ts';
import { deviceOf, sessionSecretOf, type PageTenant } from '../../pages/context.ts';
import { clearCookie } from '../../pages/cookies.ts';
import { csrfToken, csrfValid } from '../../pages/csrf.ts';
import { cspSourceOf, pageResponse } from '../../pages/page.ts';
import { CsrfRefused } from '../../pages/page-errors.ts';
import { pageRoute } from '../../pages/page-route.ts';
import { requestParams } from '../../pages/params.ts';

type Deps = Pick<ServerDeps, 'directory' | 'publicUrl' | 'browser' | 'trustedProxies'>;

/** The confirmation form posts these besides the carried parameters. */
const CONFIRM_FIELDS = new Set(['csrf', 'logout']);

/**
 * GET|POST /t/:tenant/logout — OpenID Connect RP-Initiated Logout 1.0. With
 * an id_token_hint for the signed-in user the session ends at once; else the
 * user confirms on a page (CSRF-protected). Afterwards the browser goes to
 * the registered post_logout_redirect_uri (with `state`) or sees the
 * signed-out page — never to an unregistered address.
 */
export function logout(deps: Deps) {
  return pageRoute(deps, async ({ event, t }) => {
    const params = await requestParams(event);
    const secret = sessionSecretOf(event, t);
    const session = await deps.browser.resumeSession(t.tenant, secret);
    const confirmation = event.req.method === 'POST' && params.has('logout') && params.has('csrf');
    const answer = confirmation ? params.get('logout')![0] : undefined;
    const presented = confirmation ? params.get('csrf')![0] : undefined;
    for (const f of CONFIRM_FIELDS) if (confirmation) params.delete(f);

    // A request that cannot be honoured is an OAuthError: the person sees it (src/server/respond.ts).
    const plan = await deps.browser.planLogout({ tenant: t.tenant, issuer: t.issuer, params, session });

    if (session && confirmation) {
      if (!csrfValid(secret, 'logout', presented)) throw new CsrfRefused();
      if (answer !== 'yes') return pageResponse('logged-out', { title: 'Still signed in', tenantName: t.tenant.name, heading: 'You are still signed in', message: 'Nothing changed. You can close this page.' });
    } else if (session && !plan.confirmed) {
      const carry = Object.entries(plan.carry).map(([name, value]) => ({ name, value }));
      const target = plan.redirectTo ? cspSourceOf(plan.redirectTo) : undefined;
      return pageResponse(
        'logout',
        { title: 'Sign out', tenantName: t.tenant.name, clientName: plan.client?.name ?? null, action: `${t.base}/logout`, csrf: csrfToken(secret!, 'logout'), carry },
        { formTargets: target ? [target] : [] },
      );
    }
    await deps.browser.performLogout(t.tenant, session, { clientId: plan.client?.clientId, ip: deviceOf(event, deps).ip });
    return signedOut(t, plan);
  });
}

function signedOut(t: PageTenant, plan: LogoutPlan): Response {
  const headers = new Headers({ 'cache-control': 'no-store' });
  headers.append('set-cookie', clearCookie(t.sessionCookie, t.secure));
  if (plan.redirectTo) {
    headers.set('location', plan.redirectTo);
    return new Response(null, { status: 303, headers });
  }
  return pageResponse('logged-out', { title: 'Signed out', tenantName: t.tenant.name, heading: 'You are signed out', message: 'You can close this page.' }, { headers });
}
