import type { H3Event } from 'h3';
import { endOtherSessions, endOwnSession } from '../../../core/users/account.ts';
import { clearCookie } from '../cookies.ts';
import { accountForm, accountPath, requireAccount, seeOther, type AccountServerDeps } from './context.ts';
import { failedChange } from './view.ts';

/** POST /t/:tenant/account/sessions/end — signs one session out (this one too: the cookie is then cleared). */
export function accountEndSession(deps: AccountServerDeps) {
  return async (event: H3Event): Promise<Response> => {
    const s = await requireAccount(event, deps);
    if (s instanceof Response) return s;
    const form = await accountForm(event, s);
    if (form instanceof Response) return form;
    const id = form.get('session_id') ?? '';
    try {
      await endOwnSession(deps.accounts, s.t.tenant, s.user, id);
    } catch (e) {
      return failedChange(deps, s, 'sessions', e);
    }
    if (id === s.session.id) return seeOther(accountPath(s.t), new Headers({ 'set-cookie': clearCookie(s.t.sessionCookie, s.t.secure) }));
    return seeOther(accountPath(s.t, '?done=session'));
  };
}

/** POST /t/:tenant/account/sessions/end-others — "sign out everywhere else". */
export function accountEndOtherSessions(deps: AccountServerDeps) {
  return async (event: H3Event): Promise<Response> => {
    const s = await requireAccount(event, deps);
    if (s instanceof Response) return s;
    const form = await accountForm(event, s);
    if (form instanceof Response) return form;
    await endOtherSessions(deps.accounts, s.t.tenant, s.user, s.session);
    return seeOther(accountPath(s.t, '?done=sessions'));
  };
}
