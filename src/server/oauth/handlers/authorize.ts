import type { ServerDeps } from '../../deps.ts';
import { deliver } from '../../pages/authorization-response.ts';
import { sessionSecretOf } from '../../pages/context.ts';
import { clearCookie, interactionCookieName, setCookie, staleInteractionCookies } from '../../pages/cookies.ts';
import { pageRoute } from '../../pages/page-route.ts';
import { requestParams } from '../../pages/params.ts';

/**
 * GET|POST /t/:tenant/authorize — RFC 6749 §4.1.1, OIDC Core §3.1.2. Answers
 * the client (code or error, with `iss`) when it can, shows an error page
 * when the client or redirect URI cannot be trusted, or sends the browser to
 * the sign-in page with a fresh interaction cookie.
 */
export function authorize(deps: Pick<ServerDeps, 'directory' | 'publicUrl' | 'browser' | 'clock'>) {
  return pageRoute(deps, async ({ event, t }) => {
    const params = await requestParams(event);
    const outcome = await deps.browser.authorize({ tenant: t.tenant, issuer: t.issuer, params, sessionSecret: sessionSecretOf(event, t) });
    switch (outcome.kind) {
      case 'respond':
        return deliver(outcome.response);
      case 'error_page':
        // The client or its redirect URI cannot be trusted with the answer: the person sees it (src/server/respond.ts).
        throw outcome.error;
      case 'interact': {
        const headers = new Headers({ location: `${t.base}/login/${outcome.interactionId}`, 'cache-control': 'no-store' });
        headers.append('set-cookie', setCookie(interactionCookieName(outcome.interactionId, t.secure), outcome.secret, { secure: t.secure, maxAge: (outcome.expiresAt - deps.clock.now()) / 1000 }));
        for (const stale of staleInteractionCookies(event, t.secure, MAX_OPEN_INTERACTIONS - 1)) headers.append('set-cookie', clearCookie(stale, t.secure));
        return new Response(null, { status: 303, headers });
      }
    }
  });
}

/** Sign-ins a browser may have open at once (tabs); older interaction cookies are dropped. */
const MAX_OPEN_INTERACTIONS = 5;
