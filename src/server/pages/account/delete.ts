import type { H3Event } from 'h3';
import { isAuthflowError, RateLimited } from '../../../core/errors.ts';
import { deleteOwnAccount, hasPassword } from '../../../core/users/account.ts';
import { clearCookie } from '../cookies.ts';
import { pageResponse } from '../page.ts';
import { accountForm, accountPath, requireAccount, type AccountServerDeps, type SignedIn } from './context.ts';
import { refusalText } from './view.ts';

async function confirmPage(deps: AccountServerDeps, s: SignedIn, options: { status?: number; error?: string; headers?: Headers } = {}): Promise<Response> {
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
  return pageResponse('account-delete', data, { status: options.status ?? 200, ...(options.headers ? { headers: options.headers } : {}) });
}

/**
 * GET|POST /t/:tenant/account/delete — a confirmation page asking for the
 * password (or the email address when the user has none); the POST erases
 * the account in one transaction, clears the session cookie and says so.
 */
export function accountDelete(deps: AccountServerDeps) {
  return async (event: H3Event): Promise<Response> => {
    const s = await requireAccount(event, deps);
    if (s instanceof Response) return s;
    if (event.req.method !== 'POST') return confirmPage(deps, s);
    const form = await accountForm(event, s);
    if (form instanceof Response) return form;
    try {
      await deleteOwnAccount(deps.accounts, s.t.tenant, s.user, { password: form.get('password'), email: form.get('email') });
    } catch (e) {
      if (e instanceof RateLimited) return confirmPage(deps, s, { status: 429, error: e.message, headers: new Headers({ 'retry-after': String(e.retryAfter) }) });
      if (isAuthflowError(e) && e.code === 'validation_failed') return confirmPage(deps, s, { status: 422, error: refusalText(e) });
      throw e;
    }
    const headers = new Headers({ 'set-cookie': clearCookie(s.t.sessionCookie, s.t.secure) });
    return pageResponse('logged-out', { title: 'Account deleted', tenantName: s.t.tenant.name, heading: 'Your account was deleted', message: 'Your personal data was erased and you were signed out everywhere. You can close this page.' }, { headers });
  };
}
