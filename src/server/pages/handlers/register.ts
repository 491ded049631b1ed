import { getRouterParam } from 'h3';
import type { Interaction } from '../../../core/interaction/interaction.ts';
import { needsAuthentication } from '../../../core/interaction/steps/step.ts';
import { settingsOf } from '../../../core/tenants/tenant.ts';
import { registerUser, registrationForm } from '../../../core/users/register.ts';
import type { ServerDeps } from '../../deps.ts';
import { deviceOf, type PageTenant } from '../context.ts';
import { cookieValue, interactionCookieName } from '../cookies.ts';
import { csrfToken } from '../csrf.ts';
import { pageResponse } from '../page.ts';
import { InteractionExpired, PageError } from '../page-errors.ts';
import { pageRoute } from '../page-route.ts';

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
  return pageRoute(deps, async ({ event, t, form, showAgain }) => {
    if (!settingsOf(t.tenant).self_registration) throw new PageError(404, 'Registration is not available', 'Accounts for this service are created by its administrators.', 'registration_disabled');
    const id = getRouterParam(event, 'interaction') ?? '';
    const secret = cookieValue(event, interactionCookieName(id, t.secure));
    const opened = await deps.browser.openInteraction(t.tenant, id, secret);
    if (!opened) throw new InteractionExpired();
    const { interaction, client } = opened;
    const toInteraction = new Response(null, { status: 303, headers: { location: `${t.base}/login/${interaction.id}`, 'cache-control': 'no-store' } });
    // Already signed in (or relying on a session) in this request: nothing to register.
    if (!needsAuthentication(interaction)) return toInteraction;
    const csrf = csrfToken(secret!, `register:${id}`);
    const show = (values: ReadonlyMap<string, string>, error: string | null, status = 200) => render(t, interaction, client.name, csrf, values, error, status);
    if (event.req.method !== 'POST') return show(new Map(), null);

    const posted = await form({ secret, purpose: `register:${id}` });
    showAgain((error, status) => show(posted, error, status));
    const outcome = await registerUser(deps.accounts, { tenant: t.tenant, issuer: t.issuer, interaction, form: posted, ip: deviceOf(event, deps).ip });
    if (outcome.kind === 'invalid') return show(posted, outcome.message);
    return toInteraction;
  });
}

function render(t: PageTenant, interaction: Interaction, clientName: string, csrf: string, values: ReadonlyMap<string, string>, error: string | null, status: number): Response {
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
    // After an error the box comes back as the person left it.
    termsAccepted: values.get('accept_terms') === 'on',
    error,
  };
  return pageResponse('register', data, { status });
}
