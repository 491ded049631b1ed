import { getRouterParam, type H3Event } from 'h3';
import { RateLimited } from '../../../core/errors.ts';
import type { Interaction } from '../../../core/interaction/interaction.ts';
import { needsAuthentication } from '../../../core/interaction/steps/step.ts';
import { settingsOf } from '../../../core/tenants/tenant.ts';
import { registerUser, registrationForm } from '../../../core/users/register.ts';
import { waitText } from '../../../core/users/verify-email.ts';
import type { ServerDeps } from '../../deps.ts';
import { deviceOf, pageTenant, type PageTenant } from '../context.ts';
import { cookieValue, interactionCookieName } from '../cookies.ts';
import { csrfToken, csrfValid } from '../csrf.ts';
import { errorPage, pageResponse } from '../page.ts';
import { BadForm, formBody, singleValues } from '../params.ts';

type Deps = Pick<ServerDeps, 'directory' | 'publicUrl' | 'browser' | 'accounts' | 'trustedProxies'>;

const FIELD_LABELS: Record<string, { label: string; autocomplete: string }> = {
  name: { label: 'Full name', autocomplete: 'name' },
  given_name: { label: 'First name', autocomplete: 'given-name' },
  family_name: { label: 'Last name', autocomplete: 'family-name' },
  phone: { label: 'Phone number', autocomplete: 'tel' },
  locale: { label: 'Language (such as en-US)', autocomplete: 'language' },
};

/**
 * GET|POST /t/:tenant/register/:interaction — self-registration, linked from
 * the login page of an authorization request when the tenant allows it
 * (settings.self_registration; a 404 page otherwise). Same interaction cookie
 * and CSRF binding as the login page; on success the browser goes back to the
 * interaction (verify the address, accept terms, consent, back to the client).
 */
export function register(deps: Deps) {
  return async (event: H3Event): Promise<Response> => {
    const t = await pageTenant(event, deps);
    if (t instanceof Response) return t;
    if (!settingsOf(t.tenant).self_registration) return errorPage(404, 'Registration is not available', 'Accounts for this service are created by its administrators.', { code: 'registration_disabled', tenantName: t.tenant.name });
    const id = getRouterParam(event, 'interaction') ?? '';
    const secret = cookieValue(event, interactionCookieName(id, t.secure));
    const opened = await deps.browser.openInteraction(t.tenant, id, secret);
    if (!opened) return errorPage(400, 'This sign-in page has expired', 'It was already used, is more than 10 minutes old, or was opened in another browser.', { code: 'interaction_expired', tenantName: t.tenant.name });
    const { interaction, client } = opened;
    const toInteraction = new Response(null, { status: 303, headers: { location: `${t.base}/login/${interaction.id}`, 'cache-control': 'no-store' } });
    // Already signed in (or relying on a session) in this request: nothing to register.
    if (!needsAuthentication(interaction)) return toInteraction;
    const csrf = csrfToken(secret!, `register:${id}`);
    const show = (values: ReadonlyMap<string, string>, error: string | null, status = 200, retryAfter = 0) => render(t, interaction, client.name, csrf, values, error, status, retryAfter);
    if (event.req.method !== 'POST') return show(new Map(), null);

    let form;
    try {
      form = singleValues(await formBody(event));
    } catch (e) {
      if (e instanceof BadForm) return errorPage(400, 'The form could not be read', e.message, { tenantName: t.tenant.name });
      throw e;
    }
    if (!csrfValid(secret, `register:${id}`, form.get('csrf'))) {
      return errorPage(403, 'The form could not be verified', 'The page was not sent by this sign-in service, or it is out of date. Go back, reload the page and try again.', { code: 'csrf', tenantName: t.tenant.name });
    }
    try {
      const outcome = await registerUser(deps.accounts, { tenant: t.tenant, issuer: t.issuer, interaction, form, ip: deviceOf(event, deps).ip });
      if (outcome.kind === 'invalid') return show(form, outcome.message);
    } catch (e) {
      if (e instanceof RateLimited) return show(form, `${e.message} Try again in ${waitText(e.retryAfter)}.`, 429, e.retryAfter);
      throw e;
    }
    return toInteraction;
  };
}

function render(t: PageTenant, interaction: Interaction, clientName: string, csrf: string, values: ReadonlyMap<string, string>, error: string | null, status: number, retryAfter: number): Response {
  const form = registrationForm(t.tenant);
  const fields = form.requiredFields.map((name) => ({ name, ...FIELD_LABELS[name]!, value: (values.get(name) ?? '').slice(0, 320) }));
  const data = {
    title: 'Create your account',
    tenantName: t.tenant.name,
    clientName,
    action: `${t.base}/register/${interaction.id}`,
    loginUrl: `${t.base}/login/${interaction.id}`,
    csrf,
    email: (values.get('email') ?? '').slice(0, 320),
    fields,
    minLength: settingsOf(t.tenant).password_policy.min_length,
    terms: form.terms,
    error,
  };
  return pageResponse('register', data, { status, ...(retryAfter ? { headers: { 'retry-after': String(retryAfter) } } : {}) });
}
