// private_key_jwt client authentication (OIDC Core §9; RFC 7523 §2.2, §3) at
// the token endpoint, with openid-client as the client and hand-made
// assertions for every refusal; and the jwks_uri key fetcher (timeout, size
// limit, cache, rate-limited refresh) against a real HTTP server.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { base64url, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../src/core/clients/client.ts';
import { createClientKeys } from '../../src/core/oauth/client-auth/index.ts';
import { DATABASES, json, startOidc, TestClock, type OidcHarness, type RegisteredClient } from './oidc-fixture.ts';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

async function keyPair(alg: 'ES256' | 'RS256' | 'EdDSA' | 'PS256', kid: string): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

describe.each(DATABASES)('private_key_jwt (%s)', (database) => {
  let h: OidcHarness;
  let c: RegisteredClient;
  let es: { privateKey: CryptoKey; jwk: JWK };
  let rs: { privateKey: CryptoKey; jwk: JWK };
  let tokenUrl: string;
  beforeAll(async () => {
    h = await startOidc(database);
    es = await keyPair('ES256', 'client-es');
    rs = await keyPair('RS256', 'client-rs');
    c = await h.createClient('main', { name: 'jwt', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [es.jwk, rs.jwk] } });
    tokenUrl = `${h.issuer('main')}/token`;
  });
  afterAll(async () => {
    await h?.stop();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const claims = (extra: Record<string, unknown> = {}) => ({ iss: c.clientId, sub: c.clientId, aud: h.issuer('main'), jti: crypto.randomUUID(), iat: now(), exp: now() + 60, ...extra });
  const sign = (payload: Record<string, unknown>, key: CryptoKey = es.privateKey, header: Record<string, unknown> = { alg: 'ES256', kid: 'client-es' }) =>
    new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key);
  const send = (assertion: string, extra: Record<string, string> = {}) =>
    h.post('main', '/token', { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion, ...extra });
  const expectInvalidClient = async (res: Response) => {
    const text = await res.text();
    expect(res.status, text).toBe(401);
    expect(JSON.parse(text).error).toBe('invalid_client');
  };

  it('openid-client authenticates with PrivateKeyJwt (aud = issuer)', async () => {
    const config = await h.discover('main', c.clientId, client.PrivateKeyJwt({ key: es.privateKey, kid: 'client-es' }));
    const t = await client.clientCredentialsGrant(config);
    expect(t.access_token).toBeTruthy();
    // And again: every assertion carries a fresh jti.
    expect((await client.clientCredentialsGrant(config)).access_token).toBeTruthy();
  });

  it('accepts the token endpoint URL as aud (OIDC Core §9), an RS256 key, and a header without kid when one key fits', async () => {
    expect((await send(await sign(claims({ aud: tokenUrl })))).status).toBe(200);
    expect((await send(await sign(claims(), rs.privateKey, { alg: 'RS256', kid: 'client-rs' }))).status).toBe(200);
    // A key the client did not register, under a kid it did: the signature does not verify.
    const stranger = (await keyPair('RS256', 'x')).privateKey;
    await expectInvalidClient(await send(await sign(claims(), stranger, { alg: 'RS256', kid: 'client-rs' })));
    const only = await keyPair('EdDSA', 'ed');
    const ed = await h.createClient('main', { name: 'ed', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [only.jwk] } });
    const assertion = await new SignJWT({ iss: ed.clientId, sub: ed.clientId, aud: h.issuer('main'), jti: crypto.randomUUID(), exp: now() + 60 }).setProtectedHeader({ alg: 'EdDSA' }).sign(only.privateKey);
    expect((await send(assertion)).status).toBe(200);
  });

  it('a replayed assertion (same jti) is invalid_client (RFC 7523 §3 item 7)', async () => {
    const assertion = await sign(claims());
    expect((await send(assertion)).status).toBe(200);
    await expectInvalidClient(await send(assertion));
    // Concurrent replays: exactly one wins.
    const again = await sign(claims());
    const statuses = await Promise.all([send(again), send(again), send(again)].map(async (p) => (await p).status));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
  });

  it('a wrong aud is invalid_client (RFC 7523 §3 item 3)', async () => {
    await expectInvalidClient(await send(await sign(claims({ aud: 'https://evil.example.com' }))));
    await expectInvalidClient(await send(await sign(claims({ aud: `${h.issuer('main')}/introspect` }))));
  });

  it('an expired assertion, or one without exp, is invalid_client (RFC 7523 §3 item 4)', async () => {
    await expectInvalidClient(await send(await sign(claims({ exp: now() - 120, iat: now() - 300 }))));
    const { exp: _exp, ...noExp } = claims();
    await expectInvalidClient(await send(await sign(noExp)));
  });

  it('an assertion valid for too long, or without jti, is invalid_client (RFC 7523 §3)', async () => {
    await expectInvalidClient(await send(await sign(claims({ exp: now() + 3600 }))));
    const { jti: _jti, ...noJti } = claims();
    await expectInvalidClient(await send(await sign(noJti)));
  });

  it('iss or sub other than the client_id is invalid_client (RFC 7523 §3 items 1–2)', async () => {
    await expectInvalidClient(await send(await sign(claims({ iss: 'someone-else' }))));
    const other = await h.createClient('main', { name: 'other-jwt', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [es.jwk] } });
    // Signed with a key both clients registered, but claiming to be the other client: iss says c, sub says other.
    await expectInvalidClient(await send(await sign(claims({ sub: other.clientId }))));
  });

  it('alg "none" is invalid_client, never a 500 (RFC 8725 §3.1)', async () => {
    const unsigned = `${base64url.encode(JSON.stringify({ alg: 'none' }))}.${base64url.encode(JSON.stringify(claims()))}.`;
    await expectInvalidClient(await send(unsigned));
  });

  it('HS256 (a symmetric alg, key confusion) is invalid_client (RFC 8725 §3.1, §2.1)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(es.jwk));
    const hs = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'client-es' }).sign(secret);
    await expectInvalidClient(await send(hs));
  });

  it('a garbage assertion is invalid_client; client_assertion without its type is invalid_request (RFC 7521 §4.2)', async () => {
    await expectInvalidClient(await send('not.a.jwt'));
    const res = await h.post('main', '/token', { grant_type: 'client_credentials', client_assertion: await sign(claims()) });
    expect(res.status).toBe(400);
    expect((await json(res)).error).toBe('invalid_request');
    const wrongType = await send(await sign(claims()), { client_assertion_type: 'urn:example:saml' });
    expect(wrongType.status).toBe(400);
  });

  it('a valid assertion for a client registered with client_secret_basic is invalid_client (OIDC Core §9)', async () => {
    const secretClient = await h.createClient('main', { name: 'secret' });
    const assertion = await new SignJWT({ iss: secretClient.clientId, sub: secretClient.clientId, aud: h.issuer('main'), jti: crypto.randomUUID(), exp: now() + 60 })
      .setProtectedHeader({ alg: 'ES256', kid: 'client-es' })
      .sign(es.privateKey);
    await expectInvalidClient(await send(assertion));
  });

  it('an assertion plus a client_secret is invalid_request (RFC 6749 §2.3: one method per request)', async () => {
    const res = await send(await sign(claims()), { client_secret: 'x' });
    expect(res.status).toBe(400);
    expect((await json(res)).error).toBe('invalid_request');
  });
});

describe('jwks_uri key fetching (operator-configured URL)', () => {
  let server: Server;
  let base: string;
  let hits = 0;
  let body = '{"keys":[]}';
  let delayMs = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      setTimeout(() => {
        if (req.url === '/big') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ keys: [{ kty: 'oct-ish', pad: 'x'.repeat(100_000) }] }));
          return;
        }
        if (req.url === '/redirect') {
          res.writeHead(302, { location: '/jwks' });
          res.end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
        res.end(body);
      }, delayMs);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const withUri = (uri: string) => ({ jwks: null, jwksUri: uri }) as unknown as Client;

  it('fetches once, serves from cache, refreshes on demand at most once per interval, and keeps the last good set on failure', async () => {
    const clock = new TestClock();
    const keys = createClientKeys({ clock, minIntervalMs: 30_000, ttlMs: 300_000 });
    const { jwk } = await keyPair('ES256', 'k1');
    body = JSON.stringify({ keys: [jwk] });
    hits = 0;
    const c = withUri(`${base}/jwks`);
    const [a, b] = await Promise.all([keys.keysOf(c), keys.keysOf(c)]);
    expect(a?.keys[0]?.kid).toBe('k1');
    expect(b).toBe(a);
    expect(hits).toBe(1);
    // A forced refresh right away is rate-limited…
    await keys.keysOf(c, { refresh: true });
    expect(hits).toBe(1);
    // …and allowed after the interval.
    clock.advance(31_000);
    body = JSON.stringify({ keys: [{ ...jwk, kid: 'k2' }] });
    expect((await keys.keysOf(c, { refresh: true }))?.keys[0]?.kid).toBe('k2');
    expect(hits).toBe(2);
    // The server breaks: the last good set stays in use.
    body = 'not json';
    clock.advance(301_000);
    expect((await keys.keysOf(c))?.keys[0]?.kid).toBe('k2');
    expect(hits).toBe(3);
  });

  it('refuses oversized answers, redirects and slow servers (size limit, no redirects, timeout)', async () => {
    const clock = new TestClock();
    expect(await createClientKeys({ clock, maxBytes: 64 * 1024 }).keysOf(withUri(`${base}/big`))).toBeUndefined();
    expect(await createClientKeys({ clock }).keysOf(withUri(`${base}/redirect`))).toBeUndefined();
    delayMs = 500;
    try {
      const started = Date.now();
      expect(await createClientKeys({ clock, timeoutMs: 100 }).keysOf(withUri(`${base}/jwks`))).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(450);
    } finally {
      delayMs = 0;
    }
  });
});
