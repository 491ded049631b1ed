import type { H3Event } from 'h3';
import { isEmail, normalizeEmail } from '../../../core/users/user.ts';
import { checkVerificationLink, requestVerificationLink, verifyEmailByLink, type VerifyRefusal } from '../../../core/users/verify-email.ts';
import { typedSecret } from '../../../crypto/index.ts';
import type { ServerDeps } from '../../deps.ts';
import { deviceOf, type PageTenant } from '../context.ts';
import { cookieValue, setCookie } from '../cookies.ts';
import { csrfToken } from '../csrf.ts';
import { pageResponse } from '../page.ts';
import { pageRoute } from '../page-route.ts';

type Deps = Pick<ServerDeps, 'directory' | 'publicUrl' | 'accounts' | 'trustedProxies'>;

const PROBLEMS: Record<VerifyRefusal, string> = {
  unknown: 'This link is not valid: it may have been copied incompletely.',
  expired: 'This link has expired.',
  used: 'This link was already used, or a newer one was sent since.',
};

const PURPOSE = 'verify-email';

/** These pages belong to no interaction: their forms are bound to a cookie of their own (set on GET). */
function formCookie(t: PageTenant): string {
  return `${t.secure ? '__Host-' : ''}af_vf_${t.tenant.slug}`;
}

interface FormContext {
  readonly t: PageTenant;
  readonly csrf: string;
  readonly headers: Headers;
}

function formContext(event: H3Event, t: PageTenant): FormContext {
  const headers = new Headers();
  let secret = cookieValue(event, formCookie(t));
  if (!secret || secret.length > 100) {
    secret = typedSecret('vf');
    headers.append('set-cookie', setCookie(formCookie(t), secret, { secure: t.secure }));
  }
  return { t, csrf: csrfToken(secret, PURPOSE), headers };
}

function page(f: FormContext, data: Record<string, unknown>, status = 200): Response {
  const { t } = f;
  return pageResponse('verify-email', { tenantName: t.tenant.name, csrf: f.csrf, action: `${t.base}/verify-email`, resendAction: `${t.base}/verify-email/resend`, ...data }, { status, headers: f.headers });
}

const problem = (f: FormContext, refusal: VerifyRefusal, error: string | null = null) => page(f, { title: 'This link does not work', problem: `${PROBLEMS[refusal]} Enter your email address and we will send you a new one.`, error }, 400);

/**
 * GET /t/:tenant/verify-email?token=… — the link in the verification email.
 * GET only shows a confirmation button: mail scanners prefetch links, and a
 * single-use token must not be spent by them. Expired, used and forged
 * links get the same page (and status) except for one sentence, with a form
 * to ask for a new link.
 */
export function verifyEmailPage(deps: Deps) {
  return pageRoute(deps, async ({ event, t }) => {
    const f = formContext(event, t);
    const token = event.url.searchParams.get('token') ?? '';
    const refusal = await checkVerificationLink(deps.accounts, { tenant: t.tenant, token });
    if (refusal) return problem(f, refusal);
    return page(f, { title: 'Confirm your email address', confirm: true, token });
  });
}

/** The forms of these pages are bound to their cookie. */
const csrfOf = (event: H3Event, t: PageTenant) => ({ secret: cookieValue(event, formCookie(t)), purpose: PURPOSE });

/** POST /t/:tenant/verify-email — the confirmation button: spends the token and marks the address verified. */
export function verifyEmailConfirm(deps: Deps) {
  return pageRoute(deps, async ({ event, t, form }) => {
    const f = formContext(event, t);
    const posted = await form(csrfOf(event, t));
    const result = await verifyEmailByLink(deps.accounts, { tenant: t.tenant, token: posted.get('token') ?? '', ip: deviceOf(event, deps).ip });
    if (typeof result === 'string') return problem(f, result);
    return page(f, { title: 'Email address confirmed', verified: true, email: result.email });
  });
}

/**
 * POST /t/:tenant/verify-email/resend — "send me a new link": the same page
 * whether or not the address has an account needing verification; limited
 * per IP and per address (429 with Retry-After and the wait in words).
 */
export function verifyEmailResend(deps: Deps) {
  return pageRoute(deps, async ({ event, t, form, showAgain }) => {
    const f = formContext(event, t);
    const posted = await form(csrfOf(event, t));
    const email = normalizeEmail(posted.get('email') ?? '');
    if (email.length > 320 || !isEmail(email)) return problem(f, 'unknown', 'Enter a valid email address.');
    showAgain((error, status) => page(f, { title: 'Too many requests', problem: error }, status));
    await requestVerificationLink(deps.accounts, { tenant: t.tenant, issuer: t.issuer, email, ip: deviceOf(event, deps).ip });
    return page(f, { title: 'Check your email', linkSent: true });
  });
}
