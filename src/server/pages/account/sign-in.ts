import { settingsOf } from '../../../core/tenants/tenant.ts';
import type { H3Event } from 'h3';
import { ValidationFailed } from '../../../core/errors.ts';
import { signInToAccount } from '../../../core/users/account.ts';
import { typedSecret } from '../../../crypto/index.ts';
import { deviceOf, sessionSecretOf, type PageTenant } from '../context.ts';
import { clearCookie, cookieValue, setCookie } from '../cookies.ts';
import { csrfToken } from '../csrf.ts';
import { pageResponse } from '../page.ts';
import type { PageRequest } from '../page-route.ts';
import { accountPath, seeOther, type AccountServerDeps } from './context.ts';
import { deviceCookieName } from '../device-cookie.ts';
import { resumeSession } from '../../../core/sessions/sso.ts';

/** The same words for an unknown address, a wrong password and a disabled account (no user enumeration). */
const WRONG_CREDENTIALS = 'Incorrect email or password.';
const PURPOSE = 'account-login';

/**
 * The sign-in form's own cookie: there is no session yet to bind its CSRF
 * token to, and without one a cross-site page could sign the browser into an
 * attacker's account (login CSRF). Same attributes as every cookie here.
 */
const signInCookieName = (t: PageTenant) => `${t.secure ? '__Host-' : ''}af_al_${t.tenant.slug}`;

/** The sign-in page shown at /account to a browser without a session (it sets the sign-in cookie when missing). */
export function signInPage(event: H3Event, t: PageTenant, options: { status?: number; error?: string; identifier?: string; headers?: Headers } = {}): Response {
  const headers = options.headers ?? new Headers();
  let secret = cookieValue(event, signInCookieName(t));
  if (!secret || !secret.startsWith('af_al_') || secret.length > 100) {
    secret = typedSecret('al');
    headers.append('set-cookie', setCookie(signInCookieName(t), secret, { secure: t.secure }));
  }
  const data = {
    title: 'Sign in',
    tenantName: t.tenant.name,
    action: accountPath(t, '/login'),
    csrf: csrfToken(secret, PURPOSE),
    identifier: options.identifier ?? '',
    error: options.error ?? null,
    forgotUrl: `${t.base}/forgot-password`,
    registration: settingsOf(t.tenant).self_registration,
  };
  return pageResponse('account-login', data, { status: options.status ?? 200, headers });
}

/**
 * POST /t/:tenant/account/login — email and password, then the tenant's SSO
 * session (renewed in place when the browser already had one) and back to
 * /account. Failures show one message, whatever their cause.
 */
export function accountSignIn(deps: AccountServerDeps) {
  return async ({ event, t, form: posted, showAgain }: PageRequest): Promise<Response> => {
    const form = await posted({ secret: cookieValue(event, signInCookieName(t)), purpose: PURPOSE });
    const identifier = (form.get('identifier') ?? '').trim().slice(0, 320);
    const current = await resumeSession(deps.accounts, t.tenant, sessionSecretOf(event, t));
    showAgain((error, status) => signInPage(event, t, { status, error, identifier }));
    let started;
    try {
      started = await signInToAccount(deps.accounts, t.tenant, { identifier, password: form.get('password') ?? '', device: deviceOf(event, deps), current, deviceSecret: cookieValue(event, deviceCookieName(t.secure)), issuer: t.issuer });
    } catch (e) {
      if (e instanceof ValidationFailed) return signInPage(event, t, { error: 'Enter a valid email address.', identifier });
      throw e;
    }
    if (!started) return signInPage(event, t, { error: WRONG_CREDENTIALS, identifier });
    if (started === 'unverified') return signInPage(event, t, { status: 403, error: 'Confirm your email address first: open the link we sent you, or sign in to an application to get a new one.', identifier });
    const headers = new Headers();
    headers.append('set-cookie', clearCookie(signInCookieName(t), t.secure));
    const remember = form.get('remember') === 'on';
    headers.append('set-cookie', setCookie(t.sessionCookie, started.secret, { secure: t.secure, ...(remember ? { maxAge: (started.session.expiresAt - deps.accounts.clock.now()) / 1000 } : {}) }));
    return seeOther(accountPath(t), headers);
  };
}
