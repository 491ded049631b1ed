import { checkMagicLink, followMagicLink, type MagicLinkRefusal } from '../../../core/users/magic-link.ts';
import type { ServerDeps } from '../../deps.ts';
import type { PageTenant } from '../context.ts';
import { cookieValue, interactionCookieName } from '../cookies.ts';
import { csrfToken } from '../csrf.ts';
import { pageResponse } from '../page.ts';
import { pageRoute } from '../page-route.ts';

type Deps = Pick<ServerDeps, 'directory' | 'publicUrl' | 'accounts'>;

/** The confirmation form is bound to the link's own token. */
const PURPOSE = 'magic-link';

const PROBLEMS: Record<MagicLinkRefusal, string> = {
  unknown: 'This link is not valid: it may have been copied incompletely.',
  expired: 'This link has expired, or the sign-in it was sent for is over.',
  used: 'This link was already used, or a newer one was sent since.',
};

function page(t: PageTenant, data: Record<string, unknown>, status = 200): Response {
  return pageResponse('magic-link', { title: 'Sign in', tenantName: t.tenant.name, action: `${t.base}/magic-link`, ...data }, { status });
}

const problem = (t: PageTenant, refusal: MagicLinkRefusal) =>
  page(t, { title: 'This link does not work', heading: 'This link does not work', message: `${PROBLEMS[refusal]} Go back to the application and sign in again to get a new link.` }, 400);

/**
 * GET|POST /t/:tenant/magic-link — the link in the sign-in email. GET shows a
 * "Continue signing in" button and never spends the link (mail scanners
 * prefetch links). POST follows it: in the browser that asked, the sign-in
 * continues (303 to its page); in another one, it is refused unless the
 * tenant allows cross-device links, when it approves the waiting browser.
 */
export function magicLink(deps: Deps) {
  return pageRoute(deps, async ({ event, t, form }) => {
    if (event.req.method !== 'POST') {
      const token = event.url.searchParams.get('token') ?? '';
      const refusal = await checkMagicLink(deps.accounts, t.tenant, token);
      if (refusal) return problem(t, refusal);
      return page(t, { heading: `Sign in to ${t.tenant.name}`, message: 'Press the button to finish signing in.', confirm: true, token, csrf: csrfToken(token, PURPOSE) });
    }
    const body = await form((posted) => ({ secret: posted.get('token') ?? '', purpose: PURPOSE }));
    const token = body.get('token') ?? '';
    const outcome = await followMagicLink(deps.accounts, t.tenant, { token, interactionSecret: (id) => cookieValue(event, interactionCookieName(id, t.secure)) });
    switch (outcome.kind) {
      case 'continue':
        return new Response(null, { status: 303, headers: { location: `${t.base}/login/${outcome.interactionId}`, 'cache-control': 'no-store' } });
      case 'approved':
        return page(t, { title: 'Signed in', heading: 'You are signed in', message: 'Go back to the device where you asked for the link: it continues by itself.' });
      case 'other-browser':
        return page(t, { title: 'Open the link where you asked for it', heading: 'Open this link in the other browser', message: 'For your security, this link only works in the browser where you asked for it. Open it there (copy the link from the email), or ask for a new link from this browser.' }, 400);
      case 'refused':
        return problem(t, outcome.reason);
    }
  });
}
