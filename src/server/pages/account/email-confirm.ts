import type { H3Event } from 'h3';
import { confirmEmailChange, inspectEmailChange, resumeAccount, type EmailChangeRefusal } from '../../../core/users/account.ts';
import { pageTenant, sessionSecretOf, type PageTenant } from '../context.ts';
import { errorPage, pageResponse } from '../page.ts';
import { BadForm, formBody, singleValues } from '../params.ts';
import { accountPath, seeOther, type AccountServerDeps } from './context.ts';

function refused(t: PageTenant, why: EmailChangeRefusal): Response {
  if (why === 'taken') return errorPage(409, 'That address is already in use', 'Another account uses this email address now, so yours was not changed. Sign in and choose another address.', { code: 'email_taken', tenantName: t.tenant.name });
  return errorPage(400, 'This link is no longer valid', 'It was already used, has expired, or a newer one was sent. Ask for the change again from your account page.', { code: `link_${why}`, tenantName: t.tenant.name });
}

/**
 * GET|POST /t/:tenant/account/email/confirm — the link mailed to the new
 * address. GET only shows a button (mail scanners follow links: a GET must
 * not change anything); the POST spends the token, which is also what makes
 * the form unforgeable from another site (the token is the secret).
 */
export function accountEmailConfirm(deps: AccountServerDeps) {
  return async (event: H3Event): Promise<Response> => {
    const t = await pageTenant(event, deps);
    if (t instanceof Response) return t;
    if (event.req.method !== 'POST') {
      const token = event.url.searchParams.get('token') ?? '';
      const found = await inspectEmailChange(deps.accounts, t.tenant, token);
      if (typeof found === 'string') return refused(t, found);
      return pageResponse('account-email-confirm', { title: 'Confirm your new email address', tenantName: t.tenant.name, email: found.email, token, action: accountPath(t, '/email/confirm') });
    }
    let form;
    try {
      form = singleValues(await formBody(event));
    } catch (e) {
      if (e instanceof BadForm) return errorPage(400, 'The form could not be read', e.message, { tenantName: t.tenant.name });
      throw e;
    }
    const done = await confirmEmailChange(deps.accounts, t.tenant, form.get('token') ?? '');
    if (typeof done === 'string') return refused(t, done);
    // The same user signed in here: back to the account page; anyone else (another device) just reads the outcome.
    const here = await resumeAccount(deps.accounts, t.tenant, sessionSecretOf(event, t));
    if (here?.user.id === done.user.id) return seeOther(accountPath(t, '?done=email'));
    return pageResponse('logged-out', { title: 'Email address changed', tenantName: t.tenant.name, heading: 'Your email address was changed', message: `Sign in with ${done.user.email} from now on.` });
  };
}
