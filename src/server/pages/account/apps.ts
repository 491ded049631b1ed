import { revokeAuthorizedApp } from '../../../core/users/account.ts';
import { accountPath, accountRoute, seeOther, type AccountServerDeps } from './context.ts';
import { sectionChange } from './view.ts';

/** POST /t/:tenant/account/apps/revoke — takes an application's access back (grant, refresh and access tokens, codes). */
export function accountRevokeApp(deps: AccountServerDeps) {
  return accountRoute(deps, async (req) => {
    const form = await req.accountForm();
    return sectionChange(deps, req, 'apps', () => revokeAuthorizedApp(deps.accounts, req.t.tenant, req.s.user, form.get('client_id') ?? ''), () => seeOther(accountPath(req.t, '?done=app')));
  });
}
