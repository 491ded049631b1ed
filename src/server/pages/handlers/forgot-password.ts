import { ValidationFailed } from '../../../core/errors.ts';
import { lifetimeText } from '../../../core/duration.ts';
import { requestPasswordReset } from '../../../core/users/password-reset.ts';
import { settingsOf } from '../../../core/tenants/tenant.ts';
import { typedSecret } from '../../../crypto/index.ts';
import type { ServerDeps } from '../../deps.ts';
import { deviceOf, type PageTenant } from '../context.ts';
import { cookieValue, setCookie } from '../cookies.ts';
import { csrfToken } from '../csrf.ts';
import { pageResponse } from '../page.ts';
import { pageRoute } from '../page-route.ts';

type Deps = Pick<ServerDeps, 'directory' | 'publicUrl' | 'accounts' | 'trustedProxies'>;

const PURPOSE = 'forgot-password';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** This page belongs to no interaction: its form is bound to a short-lived cookie of its own (set on GET). */
function formCookie(t: PageTenant): string {
  return `${t.secure ? '__Host-' : ''}af_fp_${t.tenant.slug}`;
}

/** The sign-in the user came from (`?interaction=` / the form's field): only a well-formed id, only ever a path under the issuer. */
function interactionParam(value: string | null | undefined): string | undefined {
  return value && UUID.test(value) ? value : undefined;
}

/**
 * GET|POST /t/:tenant/forgot-password — "forgot password". POST answers the
 * same page with the same status whether or not the address has an account
 * (the link is only queued, never sent within the request); when the per-IP
 * or per-address budget is spent, the same page with a wait note and 429 +
 * Retry-After, for known and unknown addresses alike.
 */
export function forgotPassword(deps: Deps) {
  return pageRoute(deps, async ({ event, t, form, showAgain }) => {
    const headers = new Headers();
    let secret = cookieValue(event, formCookie(t));
    if (!secret || secret.length > 100) {
      secret = typedSecret('fp');
      headers.append('set-cookie', setCookie(formCookie(t), secret, { secure: t.secure, maxAge: 3600 }));
    }
    const page = (data: Record<string, unknown>, status = 200, interaction?: string) =>
      pageResponse(
        'forgot-password',
        {
          title: 'Reset your password',
          tenantName: t.tenant.name,
          action: `${t.base}/forgot-password`,
          csrf: csrfToken(secret, PURPOSE),
          interaction: interaction ?? null,
          loginUrl: interaction ? `${t.base}/login/${interaction}` : null,
          ...data,
        },
        { status, headers },
      );

    if (event.req.method !== 'POST') return page({ form: true }, 200, interactionParam(event.url.searchParams.get('interaction')));
    const posted = await form({ secret: cookieValue(event, formCookie(t)), purpose: PURPOSE });
    const interaction = interactionParam(posted.get('interaction'));
    showAgain((error, status) => page({ form: true, error }, status, interaction));
    try {
      await requestPasswordReset(deps.accounts, { tenant: t.tenant, issuer: t.issuer, email: posted.get('email') ?? '', ip: deviceOf(event, deps).ip, interactionId: interaction });
    } catch (e) {
      if (e instanceof ValidationFailed) return page({ form: true, error: e.message.slice(`${e.field}: `.length) }, 400, interaction);
      throw e;
    }
    return page({ sent: true, expiresIn: lifetimeText(settingsOf(t.tenant).password_reset.token_ttl) }, 200, interaction);
  });
}
