import type { H3Event } from 'h3';
import { revokeAuthorizedApp } from '../../../core/users/account.ts';
import { accountForm, accountPath, requireAccount, seeOther, type AccountServerDeps } from './context.ts';
import { failedChange } from './view.ts';

/** POST /t/:tenant/account/apps/revoke — takes an application's access back (grant, refresh and access tokens, codes). */
export function accountRevokeApp(deps: AccountServerDeps) {
  return async (event: H3Event): Promise<Response> => {
    const s = await requireAccount(event, deps);
    if (s instanceof Response) return s;
    const form = await accountForm(event, s);
    if (form instanceof Response) return form;
    try {
      await revokeAuthorizedApp(deps.accounts, s.t.tenant, s.user, form.get('client_id') ?? '');
    } catch (e) {
      return failedChange(deps, s, 'apps', e);
    }
    return seeOther(accountPath(s.t, '?done=app'));
  };
}
