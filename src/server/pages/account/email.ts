import { requestEmailChange } from '../../../core/users/account.ts';
import { accountPath, accountRoute, seeOther, type AccountServerDeps } from './context.ts';
import { sectionChange } from './view.ts';

/**
 * POST /t/:tenant/account/email — asks for a new address (with the current
 * password): a confirmation link goes to that address; nothing changes yet.
 */
export function accountEmail(deps: AccountServerDeps) {
  return accountRoute(deps, async (req) => {
    const form = await req.accountForm();
    const link = (token: string) => `${req.t.issuer}/account/email/confirm?token=${encodeURIComponent(token)}`;
    const input = { email: form.get('email') ?? '', password: form.get('password') ?? '' };
    return sectionChange(deps, req, 'email', () => requestEmailChange(deps.accounts, req.t.tenant, req.s.user, input, link), () => seeOther(accountPath(req.t, '?done=email_sent')));
  });
}
