import { getRouterParam } from 'h3';
import type { Client } from '../../../core/clients/client.ts';
import type { Outcome } from '../../../core/interaction/machine.ts';
import type { Interaction } from '../../../core/interaction/interaction.ts';
import type { PageView } from '../../../core/interaction/pages.ts';
import { settingsOf } from '../../../core/tenants/tenant.ts';
import type { ServerDeps } from '../../deps.ts';
import { deliver } from '../authorization-response.ts';
import { deviceOf, sessionSecretOf, type PageTenant } from '../context.ts';
import { clearCookie, cookieValue, interactionCookieName, setCookie } from '../cookies.ts';
import { csrfToken } from '../csrf.ts';
import { DEVICE_COOKIE_MAX_AGE, deviceCookieName } from '../device-cookie.ts';
import { cspSourceOf, pageResponse } from '../page.ts';
import { InteractionExpired, UserLimitReached } from '../page-errors.ts';
import { USER_LIMIT } from '../../../core/usage/user-limit.ts';
import { pageRoute } from '../page-route.ts';

type Deps = Pick<ServerDeps, 'directory' | 'publicUrl' | 'browser' | 'clock' | 'trustedProxies'>;

/**
 * GET|POST /t/:tenant/login/:interaction — the hosted sign-in sequence for
 * one authorization request (login, consent, …: whatever step is current).
 * Only the browser holding the interaction cookie gets in; every post
 * carries a CSRF token bound to that cookie.
 */
export function login(deps: Deps) {
  return pageRoute(deps, async ({ event, t, form }) => {
    const id = getRouterParam(event, 'interaction') ?? '';
    const secret = cookieValue(event, interactionCookieName(id, t.secure));
    const opened = await deps.browser.openInteraction(t.tenant, id, secret);
    if (!opened) throw new InteractionExpired();
    const { interaction, client } = opened;
    const csrf = csrfToken(secret!, `interaction:${id}`);
    const input = { tenant: t.tenant, issuer: t.issuer, client, interaction, sessionSecret: sessionSecretOf(event, t), device: deviceOf(event, deps), deviceSecret: cookieValue(event, deviceCookieName(t.secure)) };

    if (event.req.method !== 'POST') {
      const view = await deps.browser.currentPage(t.tenant, client, interaction);
      if (view) return render(t, client, interaction, view, csrf);
      return respond(t, interaction, await deps.browser.finishInteraction(input), csrf, client, deps);
    }
    const posted = await form({ secret, purpose: `interaction:${id}` });
    return respond(t, interaction, await deps.browser.submitInteraction({ ...input, form: posted }), csrf, client, deps);
  });
}

function respond(t: PageTenant, interaction: Interaction, outcome: Outcome, csrf: string, client: Client, deps: Pick<ServerDeps, 'clock'>): Response {
  switch (outcome.kind) {
    case 'page':
      // A spent lockout or throttle budget: the same page, 429 with how long to wait (RFC 6585 §4).
      return render(t, client, interaction, outcome.view, csrf, outcome.retryAfter);
    case 'next':
      return new Response(null, { status: 303, headers: { location: `${t.base}/login/${interaction.id}`, 'cache-control': 'no-store' } });
    case 'expired':
      throw new InteractionExpired();
    case 'user_limit':
      throw new UserLimitReached(USER_LIMIT);
    case 'respond': {
      const headers = new Headers();
      headers.append('set-cookie', clearCookie(interactionCookieName(interaction.id, t.secure), t.secure));
      if (outcome.session) {
        const { secret, session, remember } = outcome.session;
        // Not remembered: a browser-session cookie; the server still enforces the idle and absolute limits.
        headers.append('set-cookie', setCookie(t.sessionCookie, secret, { secure: t.secure, ...(remember ? { maxAge: (session.expiresAt - deps.clock.now()) / 1000 } : {}) }));
      }
      if (outcome.deviceSecret) headers.append('set-cookie', setCookie(deviceCookieName(t.secure), outcome.deviceSecret, { secure: t.secure, maxAge: DEVICE_COOKIE_MAX_AGE }));
      return deliver(outcome.response, headers);
    }
  }
}

function render(t: PageTenant, client: Client, interaction: Interaction, view: PageView, csrf: string, retryAfter?: number): Response {
  const target = cspSourceOf(interaction.request.redirectUri);
  const common = { tenantName: view.tenantName, clientName: view.clientName, action: `${t.base}/login/${interaction.id}`, csrf };
  const page = view.page;
  const options = { formTargets: target ? [target] : [], ...(retryAfter !== undefined ? { status: 429, headers: { 'retry-after': String(retryAfter) } } : {}) };
  if (page.kind === 'login') {
    const registerUrl = settingsOf(t.tenant).self_registration ? `${t.base}/register/${interaction.id}` : null;
    const forgotUrl = `${t.base}/forgot-password?interaction=${interaction.id}`;
    const magicLinks = settingsOf(t.tenant).magic_links.enabled;
    return pageResponse('login', { ...common, title: 'Sign in', identifier: page.identifier, error: page.error, registerUrl, forgotUrl, magicLinks }, options);
  }
  if (page.kind === 'verify-email') return pageResponse('verify-email', { ...common, title: 'Check your email', step: true, email: page.email, codeSent: page.codeSent, notice: page.notice, error: page.error }, options);
  if (page.kind === 'magic-link-sent') return pageResponse('magic-link-sent', { ...common, title: 'Check your email', email: page.email, refresh: page.refresh, notice: page.notice, error: page.error }, options);
  if (page.kind === 'terms') return pageResponse('terms', { ...common, title: 'Terms of service', account: page.account, version: page.version, termsUrl: page.termsUrl, privacyUrl: page.privacyUrl, updated: page.updated, error: page.error }, options);
  return pageResponse('consent', { ...common, title: `Allow ${client.name}?`, account: page.account, scopes: page.scopes, error: page.error }, options);
}
