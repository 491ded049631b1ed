import type { H3Event } from 'h3';
import { accountRequest, type AccountServerDeps } from './context.ts';
import { accountSignIn, signInPage } from './sign-in.ts';
import { accountPage } from './view.ts';
import { pageTenant } from '../context.ts';

/**
 * GET /t/:tenant/account — the signed-in user's account page, or the
 * sign-in form when the browser has no live session (never any data).
 */
export function accountHome(deps: AccountServerDeps) {
  return async (event: H3Event): Promise<Response> => {
    const r = await accountRequest(event, deps);
    if (r instanceof Response) return r;
    if (!r.signed) return signInPage(event, r.t);
    return accountPage(deps, r.signed, { notice: event.url.searchParams.get('done') ?? undefined });
  };
}

/** POST /t/:tenant/account/login (see sign-in.ts). */
export function accountLogin(deps: AccountServerDeps) {
  const handle = accountSignIn(deps);
  return async (event: H3Event): Promise<Response> => {
    const t = await pageTenant(event, deps);
    return t instanceof Response ? t : handle(event, t);
  };
}
