import type { H3Event } from 'h3';
import { requestEmailChange } from '../../../core/users/account.ts';
import { accountForm, accountPath, requireAccount, seeOther, type AccountServerDeps } from './context.ts';
import { failedChange } from './view.ts';

/**
 * POST /t/:tenant/account/email — asks for a new address (with the current
 * password): a confirmation link goes to that address; nothing changes yet.
 */
export function accountEmail(deps: AccountServerDeps) {
  return async (event: H3Event): Promise<Response> => {
    const s = await requireAccount(event, deps);
    if (s instanceof Response) return s;
    const form = await accountForm(event, s);
    if (form instanceof Response) return form;
    const link = (token: string) => `${s.t.issuer}/account/email/confirm?token=${encodeURIComponent(token)}`;
    try {
      await requestEmailChange(deps.accounts, s.t.tenant, s.user, { email: form.get('email') ?? '', password: form.get('password') ?? '' }, link);
    } catch (e) {
      return failedChange(deps, s, 'email', e);
    }
    return seeOther(accountPath(s.t, '?done=email_sent'));
  };
}
