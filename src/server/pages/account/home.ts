import { pageRoute } from '../page-route.ts';
import { signedInUser, type AccountServerDeps } from './context.ts';
import { accountSignIn, signInPage } from './sign-in.ts';
import { accountPage } from './view.ts';

/**
 * GET /t/:tenant/account — the signed-in user's account page, or the
 * sign-in form when the browser has no live session (never any data).
 */
export function accountHome(deps: AccountServerDeps) {
  return pageRoute(deps, async (req) => {
    const s = await signedInUser(req, deps);
    if (!s) return signInPage(req.event, req.t);
    return accountPage(deps, s, { notice: req.event.url.searchParams.get('done') ?? undefined });
  });
}

/** POST /t/:tenant/account/login (see sign-in.ts). */
export function accountLogin(deps: AccountServerDeps) {
  return pageRoute(deps, accountSignIn(deps));
}
