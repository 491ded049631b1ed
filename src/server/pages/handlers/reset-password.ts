import { ValidationFailed } from '../../../core/errors.ts';
import { checkResetLink, resetPassword } from '../../../core/users/password-reset.ts';
import type { TokenRefusal } from '../../../core/users/user-token.ts';
import type { ServerDeps } from '../../deps.ts';
import { deviceOf, type PageTenant } from '../context.ts';
import { csrfToken } from '../csrf.ts';
import { pageResponse } from '../page.ts';
import { pageRoute } from '../page-route.ts';

type Deps = Pick<ServerDeps, 'directory' | 'publicUrl' | 'accounts' | 'trustedProxies'>;

/** The form is bound to the link's own token: only who holds the link can post it. */
const PURPOSE = 'reset-password';

const PROBLEMS: Record<TokenRefusal, string> = {
  unknown: 'This link is not valid: it may have been copied incompletely.',
  expired: 'This link has expired.',
  used: 'This link was already used, or a newer one was sent since, or the password was changed meanwhile.',
};

function page(t: PageTenant, data: Record<string, unknown>, status = 200): Response {
  return pageResponse('reset-password', { title: 'Choose a new password', tenantName: t.tenant.name, action: `${t.base}/reset-password`, forgotUrl: `${t.base}/forgot-password`, ...data }, { status });
}

const problem = (t: PageTenant, refusal: TokenRefusal) => page(t, { title: 'This link does not work', problem: PROBLEMS[refusal] }, 400);

const form = (t: PageTenant, token: string, email: string, error: string | null = null, status = 200) => page(t, { form: true, token, email, csrf: csrfToken(token, PURPOSE), error }, status);

/**
 * GET|POST /t/:tenant/reset-password — the link in the reset email. GET
 * shows the new-password form and never spends the link (mail scanners
 * prefetch links); POST sets the password (see core resetPassword). Expired,
 * used and forged links get one page offering a new link.
 */
export function resetPasswordPage(deps: Deps) {
  return pageRoute(deps, async ({ event, t, form: posted }) => {
    if (event.req.method !== 'POST') {
      const token = event.url.searchParams.get('token') ?? '';
      const link = await checkResetLink(deps.accounts, t.tenant, token);
      if (typeof link === 'string') return problem(t, link);
      return form(t, token, link.user.email);
    }
    const body = await posted((f) => ({ secret: f.get('token') ?? '', purpose: PURPOSE }));
    const token = body.get('token') ?? '';
    try {
      const done = await resetPassword(deps.accounts, { tenant: t.tenant, issuer: t.issuer, token, password: body.get('password') ?? '', confirm: body.get('confirm') ?? '', ip: deviceOf(event, deps).ip });
      if (typeof done === 'string') return problem(t, done);
      return page(t, { title: 'Password changed', done: true, loginUrl: done.interactionId ? `${t.base}/login/${done.interactionId}` : null });
    } catch (e) {
      if (!(e instanceof ValidationFailed)) throw e;
      const link = await checkResetLink(deps.accounts, t.tenant, token);
      if (typeof link === 'string') return problem(t, link);
      const detail = e.message.slice(`${e.field}: `.length);
      const message = e.field === 'password' ? `The new password ${detail}.` : detail;
      return form(t, token, link.user.email, message, 400);
    }
  });
}
