import { endOtherSessions, endOwnSession } from '../../../core/users/account.ts';
import { clearCookie } from '../cookies.ts';
import { accountPath, accountRoute, seeOther, type AccountServerDeps } from './context.ts';
import { sectionChange } from './view.ts';

/** POST /t/:tenant/account/sessions/end — signs one session out (this one too: the cookie is then cleared). */
export function accountEndSession(deps: AccountServerDeps) {
  return accountRoute(deps, async (req) => {
    const { s, t } = req;
    const id = (await req.accountForm()).get('session_id') ?? '';
    return sectionChange(deps, req, 'sessions', () => endOwnSession(deps.accounts, t.tenant, s.user, id), () =>
      id === s.session.id ? seeOther(accountPath(t), new Headers({ 'set-cookie': clearCookie(t.sessionCookie, t.secure) })) : seeOther(accountPath(t, '?done=session')),
    );
  });
}

/** POST /t/:tenant/account/sessions/end-others — "sign out everywhere else". */
export function accountEndOtherSessions(deps: AccountServerDeps) {
  return accountRoute(deps, async (req) => {
    await req.accountForm();
    await endOtherSessions(deps.accounts, req.t.tenant, req.s.user, req.s.session);
    return seeOther(accountPath(req.t, '?done=sessions'));
  });
}
