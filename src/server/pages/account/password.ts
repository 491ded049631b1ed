import type { H3Event } from 'h3';
import { changeOwnPassword } from '../../../core/users/account.ts';
import { deviceOf } from '../context.ts';
import { accountForm, accountPath, requireAccount, seeOther, type AccountServerDeps } from './context.ts';
import { failedChange } from './view.ts';

/**
 * POST /t/:tenant/account/password — current and new password. Other
 * sessions end (tenant setting `password_reset.revoke_sessions`); this one stays.
 */
export function accountPassword(deps: AccountServerDeps) {
  return async (event: H3Event): Promise<Response> => {
    const s = await requireAccount(event, deps);
    if (s instanceof Response) return s;
    const form = await accountForm(event, s);
    if (form instanceof Response) return form;
    const input = { current: form.get('current_password') ?? '', next: form.get('new_password') ?? '', confirm: form.get('confirm_password') ?? '', ip: deviceOf(event, deps).ip ?? undefined };
    try {
      await changeOwnPassword(deps.accounts, s.t.tenant, s, input);
    } catch (e) {
      return failedChange(deps, s, 'password', e);
    }
    return seeOther(accountPath(s.t, '?done=password'));
  };
}
