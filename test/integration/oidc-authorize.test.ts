// The authorization endpoint's request validation (RFC 6749 §4.1.1 and
// §4.1.2.1, OIDC Core §3.1.2.1–§3.1.2.6, RFC 7636, RFC 9207, RFC 9700):
// which refusals are shown to the user only (no trusted redirection URI) and
// which go back to the client with error, error_description, state and iss.
// Real HTTP, real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { authorizeUrl, type Browser, REDIRECT_URI, startSite, type Site } from './browser-fixture.ts';

describe('authorization request validation', () => {
  let site: Site;
  let pub: string;
  let conf: string;
  let other: string;
  let b: Browser;

  beforeAll(async () => {
    site = await startSite();
    pub = (await site.client({ type: 'public', redirect_uris: [REDIRECT_URI, 'http://127.0.0.1:9/cb?tenant=a'] })).clientId;
    conf = (await site.client({ type: 'confidential', redirect_uris: [REDIRECT_URI], scopes: ['openid', 'email'] })).clientId;
    await site.af.admin.tenants.create(LOCAL_ADMIN, { slug: 'other' });
    other = (await site.client({ type: 'public', redirect_uris: [REDIRECT_URI] }, 'other')).clientId;
    b = site.browser();
  });
  afterAll(async () => site?.stop());

  /** A refusal shown to the user: an HTML error page, never a redirect (RFC 6749 §4.1.2.1). */
  async function expectErrorPage(url: string, code: string): Promise<string> {
    const res = await b.get(url);
    const html = await res.text();
    expect(res.status, html).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(html).toContain(`<code>${code}</code>`);
    // Nothing of the request is echoed into the page's links.
    expect(html).not.toContain('127.0.0.1:9');
    return html;
  }

  /** A refusal sent back to the client: 303 to the redirect URI with error, state and iss (RFC 6749 §4.1.2.1, RFC 9207 §2). */
  async function expectRedirectError(url: string, error: string): Promise<URLSearchParams> {
    const res = await b.get(url);
    expect(res.status, await res.clone().text()).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    const p = location.searchParams;
    expect(p.get('error')).toBe(error);
    expect(p.get('error_description')).toBeTruthy();
    expect(p.get('iss')).toBe(site.issuer());
    expect(p.get('code')).toBeNull();
    expect(p.get('state')).toBe(new URL(url).searchParams.get('state'));
    return p;
  }

  describe('client_id and redirect_uri: never redirected (RFC 6749 §4.1.2.1, §3.1.2.4)', () => {
    it('an unknown client_id gets an error page', async () => {
      await expectErrorPage(authorizeUrl(site, 'no-such-client').url, 'invalid_client');
    });
    it('a missing client_id gets an error page', async () => {
      await expectErrorPage(authorizeUrl(site, pub, { client_id: null }).url, 'invalid_request');
    });
    it("another tenant's client is unknown here (tenant isolation)", async () => {
      await expectErrorPage(authorizeUrl(site, other).url, 'invalid_client');
    });
    it('a missing redirect_uri gets an error page (OIDC Core §3.1.2.1: REQUIRED)', async () => {
      await expectErrorPage(authorizeUrl(site, pub, { redirect_uri: null }).url, 'invalid_request');
    });
    it.each([
      ['a longer path', `${REDIRECT_URI}/more`],
      ['a prefix', 'http://127.0.0.1:9/call'],
      ['another case', 'http://127.0.0.1:9/Callback'],
      ['a trailing slash', `${REDIRECT_URI}/`],
      ['an added query', `${REDIRECT_URI}?x=1`],
      ['a changed query', 'http://127.0.0.1:9/cb?tenant=b'],
      ['a fragment', `${REDIRECT_URI}#x`],
      ['another port', 'http://127.0.0.1:10/callback'],
      ['another host', 'http://localhost:9/callback'],
      ['an encoded form', 'http://127.0.0.1:9/%63allback'],
      ['an attacker URL', 'https://evil.example/callback'],
    ])('a redirect_uri that is not exactly registered (%s) gets an error page (RFC 9700 §4.1.3 exact matching)', async (_, uri) => {
      await expectErrorPage(authorizeUrl(site, pub, { redirect_uri: uri }).url, 'invalid_request');
    });
    it('a repeated client_id or redirect_uri gets an error page (RFC 6749 §3.1)', async () => {
      await expectErrorPage(`${authorizeUrl(site, pub).url}&client_id=${pub}`, 'invalid_request');
      await expectErrorPage(`${authorizeUrl(site, pub).url}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`, 'invalid_request');
    });
    it('a registered redirect_uri with a query is matched exactly and its query kept (RFC 6749 §3.1.2)', async () => {
      const res = await b.get(authorizeUrl(site, pub, { redirect_uri: 'http://127.0.0.1:9/cb?tenant=a', response_type: 'token' }).url);
      const location = new URL(res.headers.get('location')!);
      expect(location.searchParams.get('tenant')).toBe('a');
      expect(location.searchParams.get('error')).toBe('unsupported_response_type');
    });
  });

  describe('refusals redirected to the client with state and iss', () => {
    it.each(['token', 'id_token', 'code id_token', 'code token', 'none'])('response_type=%s → unsupported_response_type (RFC 6749 §4.1.2.1)', async (type) => {
      await expectRedirectError(authorizeUrl(site, pub, { response_type: type }).url, 'unsupported_response_type');
    });
    it('a missing response_type → invalid_request', async () => {
      await expectRedirectError(authorizeUrl(site, pub, { response_type: null }).url, 'invalid_request');
    });
    it('any repeated parameter → invalid_request (RFC 6749 §3.1), without echoing a repeated state', async () => {
      await expectRedirectError(`${authorizeUrl(site, pub).url}&scope=openid`, 'invalid_request');
      const res = await b.get(`${authorizeUrl(site, pub, { state: 'one' }).url}&state=two`);
      const p = new URL(res.headers.get('location')!).searchParams;
      expect(p.get('error')).toBe('invalid_request');
      expect(p.get('state')).toBeNull();
    });
    it('a public client without PKCE → invalid_request (RFC 7636 §4.4.1, RFC 9700 §2.1.1)', async () => {
      const p = await expectRedirectError(authorizeUrl(site, pub, { code_challenge: null, code_challenge_method: null }).url, 'invalid_request');
      expect(p.get('error_description')).toMatch(/PKCE/);
    });
    it('code_challenge_method=plain is refused, and so is a challenge without a method (RFC 7636 §4.3 defaults to plain)', async () => {
      await expectRedirectError(authorizeUrl(site, pub, { code_challenge_method: 'plain', code_challenge: 'a'.repeat(43) }).url, 'invalid_request');
      await expectRedirectError(authorizeUrl(site, pub, { code_challenge_method: null }).url, 'invalid_request');
      await expectRedirectError(authorizeUrl(site, pub, { code_challenge_method: 'S512' }).url, 'invalid_request');
    });
    it.each([
      ['42 characters', 'a'.repeat(42)],
      ['129 characters', 'a'.repeat(129)],
      ['characters outside the unreserved set', `${'a'.repeat(42)}+`],
    ])('a code_challenge of %s is refused (RFC 7636 §4.2)', async (_, challenge) => {
      await expectRedirectError(authorizeUrl(site, pub, { code_challenge: challenge }).url, 'invalid_request');
    });
    it('code_challenge_method without code_challenge is refused', async () => {
      await expectRedirectError(authorizeUrl(site, pub, { code_challenge: null }).url, 'invalid_request');
    });
    it('an unknown scope or one the client is not registered for → invalid_scope (RFC 6749 §3.3, §4.1.2.1)', async () => {
      await expectRedirectError(authorizeUrl(site, pub, { scope: 'openid admin' }).url, 'invalid_scope');
      await expectRedirectError(authorizeUrl(site, conf, { scope: 'openid profile' }).url, 'invalid_scope');
    });
    it('a missing scope → invalid_request', async () => {
      await expectRedirectError(authorizeUrl(site, pub, { scope: null }).url, 'invalid_request');
    });
    it('prompt=none with another value → invalid_request (OIDC Core §3.1.2.1)', async () => {
      await expectRedirectError(authorizeUrl(site, pub, { prompt: 'none login' }).url, 'invalid_request');
      await expectRedirectError(authorizeUrl(site, pub, { prompt: 'consent none' }).url, 'invalid_request');
    });
    it('an unknown prompt value → invalid_request', async () => {
      await expectRedirectError(authorizeUrl(site, pub, { prompt: 'create' }).url, 'invalid_request');
    });
    it('prompt=none without a session → login_required (OIDC Core §3.1.2.6)', async () => {
      await expectRedirectError(authorizeUrl(site, pub, { prompt: 'none' }).url, 'login_required');
    });
    it('request and request_uri → request_not_supported / request_uri_not_supported (OIDC Core §3.1.2.6, §6)', async () => {
      await expectRedirectError(authorizeUrl(site, pub, { request: 'eyJhbGciOiJub25lIn0.e30.' }).url, 'request_not_supported');
      await expectRedirectError(authorizeUrl(site, pub, { request_uri: 'https://rp.example/req' }).url, 'request_uri_not_supported');
      await expectRedirectError(authorizeUrl(site, pub, { registration: '{}' }).url, 'registration_not_supported');
    });
    it('an unsupported response_mode → invalid_request, answered in the default query mode', async () => {
      await expectRedirectError(authorizeUrl(site, pub, { response_mode: 'fragment' }).url, 'invalid_request');
      await expectRedirectError(authorizeUrl(site, pub, { response_mode: 'jwt' }).url, 'invalid_request');
    });
    it('a malformed max_age → invalid_request (OIDC Core §3.1.2.1)', async () => {
      await expectRedirectError(authorizeUrl(site, pub, { max_age: '-1' }).url, 'invalid_request');
      await expectRedirectError(authorizeUrl(site, pub, { max_age: '1.5' }).url, 'invalid_request');
    });
    it.each([
      ['not JSON', '{'],
      ['not an object', '[]'],
      ['a member that is not an object', '{"id_token":"email"}'],
      ['a claim request that is not null or an object', '{"userinfo":{"email":true}}'],
      ['essential that is not a boolean', '{"userinfo":{"email":{"essential":"yes"}}}'],
    ])('a claims parameter that is %s → invalid_request (OIDC Core §5.5)', async (_, claims) => {
      await expectRedirectError(authorizeUrl(site, pub, { claims }).url, 'invalid_request');
    });
    it('an id_token_hint this issuer did not sign → invalid_request', async () => {
      await expectRedirectError(authorizeUrl(site, pub, { id_token_hint: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' }).url, 'invalid_request');
    });
    it('without state, the error carries no state', async () => {
      const res = await b.get(authorizeUrl(site, pub, { state: null, response_type: 'token' }).url);
      const p = new URL(res.headers.get('location')!).searchParams;
      expect(p.get('error')).toBe('unsupported_response_type');
      expect(p.has('state')).toBe(false);
      expect(p.get('iss')).toBe(site.issuer());
    });
    it('response_mode=form_post errors are posted back by a page (Form Post Response Mode §2)', async () => {
      const res = await b.get(authorizeUrl(site, pub, { response_mode: 'form_post', response_type: 'token', state: 's<"1>' }).url);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain(`action="${REDIRECT_URI}"`);
      expect(html).toContain('name="error" value="unsupported_response_type"');
      expect(html).toContain('name="state" value="s&lt;&quot;1&gt;"');
      expect(html).toContain(`name="iss" value="${site.issuer()}"`);
    });
  });

  describe('accepted requests', () => {
    it('a valid request goes to the sign-in page with an interaction cookie', async () => {
      const res = await b.get(authorizeUrl(site, pub).url);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/t\/main\/login\/[0-9a-f-]{36}$/);
      expect(res.headers.getSetCookie().some((c) => c.startsWith('af_ix_'))).toBe(true);
    });
    it('abandoned sign-ins do not pile up cookies: at most 5 interaction cookies, the newest kept', async () => {
      const fresh = site.browser();
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push(/\/login\/(.+)$/.exec((await fresh.get(authorizeUrl(site, pub).url)).headers.get('location')!)![1]!);
      const names = [...fresh.jar.keys()].filter((n) => n.startsWith('af_ix_')).sort();
      expect(names).toEqual(ids.slice(-5).map((id) => `af_ix_${id}`));
    });
    it('a confidential client may omit PKCE (RFC 7636 is optional for it)', async () => {
      const res = await b.get(authorizeUrl(site, conf, { scope: 'openid email', code_challenge: null, code_challenge_method: null }).url);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toMatch(/\/login\//);
    });
    it('the request may be POSTed as a form (OIDC Core §3.1.2.1)', async () => {
      const { url } = authorizeUrl(site, pub);
      const u = new URL(url);
      const res = await b.post(`${u.origin}${u.pathname}`, Object.fromEntries(u.searchParams));
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toMatch(/\/login\//);
    });
    it('a request without openid is plain OAuth 2.0 and accepted', async () => {
      const res = await b.get(authorizeUrl(site, pub, { scope: 'email' }).url);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toMatch(/\/login\//);
    });
    it('an unknown tenant is an HTML 404 page', async () => {
      const res = await b.get(`${site.url}/t/nope/authorize?client_id=${pub}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    });
  });

  it('discovery advertises the authorization and end-session endpoints and what they support', async () => {
    const doc = (await (await site.fetch(`${site.issuer()}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      authorization_endpoint: `${site.issuer()}/authorize`,
      end_session_endpoint: `${site.issuer()}/logout`,
      response_types_supported: ['code'],
      response_modes_supported: ['query', 'form_post'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
      claims_parameter_supported: true,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
    });
  });
});
