import { confirmEmailChange, inspectEmailChange, resumeAccount, type EmailChangeRefusal } from '../../../core/users/account.ts';
import { sessionSecretOf } from '../context.ts';
import { pageResponse } from '../page.ts';
import { PageError } from '../page-errors.ts';
import { pageRoute } from '../page-route.ts';
import { accountPath, seeOther, type AccountServerDeps } from './context.ts';

function refused(why: EmailChangeRefusal): PageError {
  if (why === 'taken') return new PageError(409, 'That address is already in use', 'Another account uses this email address now, so yours was not changed. Sign in and choose another address.', 'email_taken');
  return new PageError(400, 'This link is no longer valid', 'It was already used, has expired, or a newer one was sent. Ask for the change again from your account page.', `link_${why}`);
}

/**
 * GET|POST /t/:tenant/account/email/confirm — the link mailed to the new
 * address. GET only shows a button (mail scanners follow links: a GET must
 * not change anything); the POST spends the token, which is also what makes
 * the form unforgeable from another site (the token is the secret).
 */
export function accountEmailConfirm(deps: AccountServerDeps) {
  return pageRoute(deps, async ({ event, t, form: posted }) => {
    if (event.req.method !== 'POST') {
      const token = event.url.searchParams.get('token') ?? '';
      const found = await inspectEmailChange(deps.accounts, t.tenant, token);
      if (typeof found === 'string') throw refused(found);
      return pageResponse('account-email-confirm', { title: 'Confirm your new email address', tenantName: t.tenant.name, email: found.email, token, action: accountPath(t, '/email/confirm') });
    }
    const form = await posted('spends-its-token');
    const done = await confirmEmailChange(deps.accounts, t.tenant, form.get('token') ?? '');
    if (typeof done === 'string') throw refused(done);
    // The same user signed in here: back to the account page; anyone else (another device) just reads the outcome.
    const here = await resumeAccount(deps.accounts, t.tenant, sessionSecretOf(event, t));
    if (here?.user.id === done.user.id) return seeOther(accountPath(t, '?done=email'));
    return pageResponse('logged-out', { title: 'Email address changed', tenantName: t.tenant.name, heading: 'Your email address was changed', message: `Sign in with ${done.user.email} from now on.` });
  });
}
