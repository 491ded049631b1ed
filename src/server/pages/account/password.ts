import { changeOwnPassword } from '../../../core/users/account.ts';
import { deviceOf } from '../context.ts';
import { accountPath, accountRoute, seeOther, type AccountServerDeps } from './context.ts';
import { sectionChange } from './view.ts';

/**
 * POST /t/:tenant/account/password — current and new password. Other
 * sessions end (tenant setting `password_reset.revoke_sessions`); this one stays.
 */
export function accountPassword(deps: AccountServerDeps) {
  return accountRoute(deps, async (req) => {
    const form = await req.accountForm();
    const input = { current: form.get('current_password') ?? '', next: form.get('new_password') ?? '', confirm: form.get('confirm_password') ?? '', ip: deviceOf(req.event, deps).ip ?? undefined };
    return sectionChange(deps, req, 'password', () => changeOwnPassword(deps.accounts, req.t.tenant, req.s, input), () => seeOther(accountPath(req.t, '?done=password')));
  });
}
