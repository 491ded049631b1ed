// docs/guides/node-openid-client.md, machine-client.md and self-hosted-apps.md, run as written: the clients
// are created by the guides' own `authflow client create` lines, and openid-client talks to a real server
// with its defaults (it sends the secret as client_secret_post).
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { startOidc, type OidcHarness } from './oidc-fixture.ts';

describe('the guides against a real server', () => {
  let h: OidcHarness;
  let cli: (...argv: string[]) => Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  beforeAll(async () => {
    h = await startOidc();
    cli = async (...argv) => {
      const r = await runCli(['--data-dir', h.af.config.dataDir, '--json', ...argv]);
      expect(r.code, r.stderr).toBe(0);
      return r.json();
    };
    await cli('tenant', 'create', 'acme', '--set', 'scopes={"orders:read":{"claims":[]}}');
  });
  afterAll(async () => {
    await h?.stop();
  });
  const discover = (id: string, secret?: string) => client.discovery(new URL(`${h.url}/t/acme`), id, secret, undefined, { execute: [client.allowInsecureRequests] });

  it('Node.js: a web app created by the guide\'s line discovers with openid-client defaults and starts a PKCE sign-in', async () => {
    const notes = await cli('client', 'create', '--tenant', 'acme', '--name', 'notes', '--redirect-uri', 'https://notes.example.com/callback');
    expect(notes.client_id).toEqual(expect.any(String));
    expect(notes.client_secret).toMatch(/^af_cs_/);
    const config = await discover(notes.client_id, notes.client_secret);
    const code_verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: 'https://notes.example.com/callback',
      scope: 'openid profile email offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(code_verifier),
      code_challenge_method: 'S256',
      state: client.randomState(),
    });
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/\/t\/acme\/login\/[0-9a-f-]{36}$/);
  });

  it('machine client: clientCredentialsGrant with openid-client defaults (client_secret_post) gets a token', async () => {
    const reports = await cli('client', 'create', '--tenant', 'acme', '--name', 'reports', '--grant', 'client_credentials', '--scope', 'orders:read');
    const config = await discover(reports.client_id, reports.client_secret);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'orders:read' });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.scope).toBe('orders:read');
    // And with HTTP Basic, as curl -u sends it.
    const viaBasic = await client.clientCredentialsGrant(await client.discovery(new URL(`${h.url}/t/acme`), reports.client_id, undefined, client.ClientSecretBasic(reports.client_secret), { execute: [client.allowInsecureRequests] }), { scope: 'orders:read' });
    expect(viaBasic.access_token).toEqual(expect.any(String));
  });

  it.each([
    ['grafana', 'https://grafana.example.com/login/generic_oauth', ['--first-party']],
    ['oauth2-proxy', 'https://app.example.com/oauth2/callback', ['--first-party']],
    ['nextcloud', 'https://cloud.example.com/apps/user_oidc/code', []],
    ['gitea', 'https://git.example.com/user/oauth2/authflow/callback', []],
  ])('self-hosted apps: the %s line makes a confidential authorization-code client for that callback', async (name, callback, extra) => {
    const c = await cli('client', 'create', '--tenant', 'acme', '--name', name, '--redirect-uri', callback, ...extra);
    expect(c).toMatchObject({ type: 'confidential', redirect_uris: [callback], grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'client_secret', first_party: extra.length > 0 });
    expect(c.client_secret).toMatch(/^af_cs_/);
  });
});
