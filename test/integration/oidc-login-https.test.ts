// Cookies of an https issuer (docs/security.md, RFC 6265bis §4.1.3.2): the SSO
// session and interaction cookies are Secure and __Host- prefixed (so no
// Domain, Path=/), HttpOnly and SameSite=Lax. Served in-process (app.fetch)
// with an https public URL; the browser talks to it as https://.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, REDIRECT_URI, redirectParams, signIn, startSite, type Site } from './browser-fixture.ts';

describe('cookies on an https issuer', () => {
  let site: Site;
  let client: string;

  beforeAll(async () => {
    site = await startSite({ https: true });
    client = (await site.client({ type: 'public', redirect_uris: [REDIRECT_URI], first_party: true })).clientId;
    await site.user('ada@example.com', 'correct horse battery');
  });
  afterAll(async () => site?.stop());

  it('the interaction and session cookies are __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, without Domain', async () => {
    const b = site.browser();
    const start = await b.get(authorizeUrl(site, client).url);
    expect(start.status).toBe(303);
    const ix = b.cookie((n) => n.startsWith('__Host-af_ix_'))!;
    expect(ix).toBeDefined();
    for (const c of [ix]) {
      expect(c.attributes).toEqual(expect.arrayContaining(['Secure', 'HttpOnly', 'SameSite=Lax', 'Path=/']));
      expect(c.attributes.some((a) => /^domain=/i.test(a))).toBe(false);
    }
    const done = await signIn(b, site, start, 'ada@example.com', 'correct horse battery', { remember: 'on' });
    expect(redirectParams(done).get('code')).toMatch(/^af_ac_/);
    expect(redirectParams(done).get('iss')).toBe('https://id.authflow.test/t/main');
    const session = b.cookie((n) => n === '__Host-af_main')!;
    expect(session).toBeDefined();
    expect(session.attributes).toEqual(expect.arrayContaining(['Secure', 'HttpOnly', 'SameSite=Lax', 'Path=/']));
    expect(session.attributes.some((a) => /^domain=/i.test(a))).toBe(false);
    expect(b.cookie((n) => n === 'af_main')).toBeUndefined();
    // The interaction cookie was cleared, with the same prefix and attributes (a __Host- cookie can only be deleted so).
    expect(done.headers.getSetCookie().find((c) => c.startsWith(`${ix.name}=;`))).toMatch(/Secure/);
    // SSO works with the prefixed cookie.
    expect(redirectParams(await b.get(authorizeUrl(site, client).url)).get('code')).toMatch(/^af_ac_/);
  });
});
