import { isAuthflowError } from '../../../core/errors.ts';
import { deleteOwnAccount, hasPassword } from '../../../core/users/account.ts';
import { clearCookie } from '../cookies.ts';
import { pageResponse } from '../page.ts';
import { accountPath, accountRoute, type AccountServerDeps, type SignedIn } from './context.ts';
import { refusalText } from './view.ts';

async function confirmPage(deps: AccountServerDeps, s: SignedIn, options: { status?: number; error?: string } = {}): Promise<Response> {
  const data = {
    title: 'Delete your account',
    tenantName: s.t.tenant.name,
    email: s.user.email,
    hasPassword: await hasPassword(deps.accounts, s.user),
    csrf: s.csrf,
    action: accountPath(s.t, '/delete'),
    back: accountPath(s.t),
    exportUrl: accountPath(s.t, '/export'),
    error: options.error ?? null,
  };
  return pageResponse('account-delete', data, { status: options.status ?? 200 });
}

/**
 * GET|POST /t/:tenant/account/delete — a confirmation page asking for the
 * password (or the email address when the user has none); the POST erases
 * the account in one transaction, clears the session cookie and says so.
 */
export function accountDelete(deps: AccountServerDeps) {
  return accountRoute(deps, async (req) => {
    const { s, event } = req;
    if (event.req.method !== 'POST') return confirmPage(deps, s);
    const form = await req.accountForm();
    req.showAgain((error, status) => confirmPage(deps, s, { status, error }));
    try {
      await deleteOwnAccount(deps.accounts, s.t.tenant, s.user, { password: form.get('password'), email: form.get('email') });
    } catch (e) {
      if (isAuthflowError(e) && e.code === 'validation_failed') return confirmPage(deps, s, { status: 422, error: refusalText(e) });
      throw e;
    }
    const headers = new Headers({ 'set-cookie': clearCookie(s.t.sessionCookie, s.t.secure) });
    return pageResponse('logged-out', { title: 'Account deleted', tenantName: s.t.tenant.name, heading: 'Your account was deleted', message: 'Your personal data was erased and you were signed out everywhere. You can close this page.' }, { headers });
  });
}
