// Shared by the recovery suites (password-reset, magic-link, new-device):
// reading what authflow queued in the outbox, tenant settings, and signing in
// with openid-client through the hosted pages of browser-fixture.ts.
import * as oidc from 'openid-client';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import type { OutboxItem } from '../../src/core/mail/outbox-item.ts';
import { formOf, REDIRECT_URI, type Browser, type Site } from './browser-fixture.ts';

/** The messages queued for `to` (newest first), optionally of one template. */
export async function mailTo(site: Site, to: string, template?: string): Promise<OutboxItem[]> {
  const items = await site.af.repo.outbox.list({ recipient: to, limit: 100 });
  return items.filter((m) => template === undefined || m.payload.template === template);
}

/** The first link of a message's text part that goes to `path` under the tenant. */
export function linkIn(item: OutboxItem, path: string): string {
  const text = String(item.payload.text);
  const m = new RegExp(`https?://\\S+${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\?token=\\S+`).exec(text);
  if (!m) throw new Error(`no ${path} link in:\n${text}`);
  return m[0];
}

/** Changes the main tenant's settings (RFC 7396 merge patch). */
export async function settings(site: Site, patch: Record<string, unknown>): Promise<void> {
  await site.af.admin.tenants.update(LOCAL_ADMIN, 'main', { settings: patch });
}

/** A first-party confidential client (no consent page) and openid-client configured for it. */
export async function rp(site: Site): Promise<{ clientId: string; config: oidc.Configuration }> {
  const { clientId, secret } = await site.client({ type: 'confidential', redirect_uris: [REDIRECT_URI], first_party: true });
  const config = await oidc.discovery(new URL(site.issuer()), clientId, { client_secret: secret! }, oidc.ClientSecretBasic(secret!), { execute: [oidc.allowInsecureRequests] });
  return { clientId, config };
}

/** An authorization request built by openid-client (PKCE S256, state, nonce) and the checks for its callback. */
export async function authRequest(config: oidc.Configuration, scope = 'openid email offline_access') {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce });
  return { url: url.href, checks: { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce } };
}

/** The login page the browser lands on for `url` (a redirect from /authorize to /login/…); returns its URL and form. */
export async function loginPage(b: Browser, site: Site, url: string): Promise<{ pageUrl: string; html: string; form: ReturnType<typeof formOf> }> {
  const res = await b.get(url);
  const location = res.headers.get('location');
  if (res.status !== 303 || !location?.includes('/login/')) throw new Error(`expected a redirect to the login page, got ${res.status} ${location}`);
  const pageUrl = new URL(location, site.url).toString();
  const page = await b.get(pageUrl);
  const html = await page.text();
  return { pageUrl, html, form: formOf(html, site.url) };
}
