// A request no route answers, or one refused before its handler, is answered
// in the shape of the surface its path belongs to: RFC 6749 §5.2 JSON
// (`invalid_request`) under an OAuth endpoint or metadata URL, an HTML page
// for people, RFC 9457 problem+json for the API and operations endpoints.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, type RawResponse } from '../helpers/raw-http.ts';
import { startAuthflow, type Harness } from '../helpers/server.ts';

describe('refusals in the shape of their surface', () => {
  let h: Harness;
  const get = (target: string, method = 'GET') => rawRequest(h.url!, `${method} ${target} HTTP/1.1\r\nHost: localhost`);
  const oauthShaped = (r: RawResponse, status: number) => {
    expect(r.status).toBe(status);
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body)).toMatchObject({ error: 'invalid_request' });
  };
  const pageShaped = (r: RawResponse, status: number) => {
    expect(r.status).toBe(status);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
  };

  beforeAll(async () => {
    h = await startAuthflow('node:http');
  });
  afterAll(() => h?.stop());

  it('an OAuth endpoint of an unknown tenant, or a path below one, is RFC 6749 §5.2 JSON', async () => {
    oauthShaped(await get('/t/nope/token', 'POST'), 404);
    oauthShaped(await get('/t/nope/.well-known/openid-configuration'), 404);
    oauthShaped(await get('/.well-known/oauth-authorization-server/t/nope'), 404);
    oauthShaped(await get('/t/main/jwks/extra'), 404);
  });

  it('a hosted-page path no route serves, or one whose escapes are not UTF-8, is an HTML page', async () => {
    pageShaped(await get('/t/main/no-such-page'), 404);
    pageShaped(await get('/t/%ff%fe/account'), 400);
    pageShaped(await get('/t/main/login/%ff'), 400);
  });

  it('an absolute-form target with a malformed authority is refused in the shape of its path (RFC 9112 §3.2.2)', async () => {
    oauthShaped(await get('http://a:99999/t/main/userinfo'), 400);
    pageShaped(await get('http://[::1/t/main/account'), 400);
  });

  it('the API and operations endpoints keep problem+json', async () => {
    const api = await get('/api/v1/no-such');
    expect(api.status).toBe(404);
    expect(api.headers['content-type']).toBe('application/problem+json');
    const ops = await get('/no/such/thing');
    expect(ops.status).toBe(404);
    expect(ops.headers['content-type']).toBe('application/problem+json');
  });
});
