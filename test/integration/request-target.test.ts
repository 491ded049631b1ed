// The front door: a request reaches only the route its raw path names, and no
// request-target or Host, however malformed, takes the server down or gets a
// 5xx (RFC 9112 §3.2, RFC 3986 §3.3 and §6.2.2). Sent as raw bytes, because
// every HTTP client normalises paths before they leave it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abortMidBody, rawRequest } from '../helpers/raw-http.ts';
import { DATABASES, startApi, type ApiHarness } from './api-fixture.ts';

describe.each(DATABASES)('the front door (%s)', (database) => {
  let api: ApiHarness;
  let url: string;
  const get = (target: string, headers = '') => rawRequest(url, `GET ${target} HTTP/1.1\r\nHost: localhost${headers}`);
  const alive = async () => expect((await get('/healthz')).status).toBe(200);

  beforeAll(async () => {
    api = await startApi('node:http', database);
    url = api.url!;
    expect((await api.request('POST', '/tenants', { json: { slug: 'victim' } })).status).toBe(201);
  });
  afterAll(() => api?.stop());

  it('answers a Host with a port above 65535 with 400 in the surface shape, and stays up (RFC 9112 §3.2)', async () => {
    const ops = await rawRequest(url, 'GET /healthz%41 HTTP/1.1\r\nHost: x:65536');
    expect(ops.status).toBe(400);
    expect(ops.headers['content-type']).toBe('application/problem+json');
    await alive();
    const oauth = await rawRequest(url, 'GET /t/main/userinfo HTTP/1.1\r\nHost: x:99999');
    expect(oauth.status).toBe(400);
    expect(JSON.parse(oauth.body)).toMatchObject({ error: 'invalid_request' });
    const page = await rawRequest(url, 'GET /t/main/account HTTP/1.1\r\nHost: [zz');
    expect(page.status).toBe(400);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect((await rawRequest(url, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nHost: evil.example')).status).toBe(400);
    await alive();
  });

  it.each([
    ['/t/main/%2e%2e/%2e%2e/api/v1/openapi.json'],
    ['/t/main/%2E%2e/%2e%2E/api/v1/openapi.json'],
    ['/t/main/../../api/v1/openapi.json'],
    ['/healthz/%2e%2e/metrics'],
    ['/healthz/../metrics'],
    ['/t/main/./jwks'],
    ['/t/%6dain/jwks'],
    ['/t/main/jwk%73'],
    ['/t/main%2fjwks'],
    ['/t/main%5Cjwks'],
    ['/t/main\\jwks'],
    ['//metrics'],
    ['/t//main/jwks'],
    // The router drops one trailing "/": refused, so that `/metrics/` never reaches `/metrics`.
    ['/metrics/'],
    ['/t/main/jwks/'],
    ['/api/v1/'],
    ['/healthz%zz'],
    ['/healthz%'],
    // RFC 9112 §3.2: a request-target has no fragment; cut off, it would name another route.
    ['/metrics#x'],
    ['/t/main/jwks#/x'],
    ['/healthz?a=1#/metrics'],
  ])('refuses %s with 400: dot segments, encoded slashes and needless escapes never reach another route', async (target) => {
    const r = await get(target);
    expect(r.status).toBe(400);
    expect(r.body).not.toContain('openapi');
    expect(r.body).not.toContain('authflow_http_requests_total');
    await alive();
  });

  it('never deletes the tenant a dot segment points at: DELETE …/clients/%2e%2e is a 400 and the tenant stays', async () => {
    for (const target of ['/api/v1/tenants/victim/clients/%2e%2e', '/api/v1/tenants/victim/clients/..', '/api/v1/tenants/victim/clients/.%2E']) {
      const r = await rawRequest(url, `DELETE ${target} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${api.adminKey}`);
      expect(r.status).toBe(400);
      expect(r.headers['content-type']).toBe('application/problem+json');
      expect(JSON.parse(r.body)).toMatchObject({ status: 400, code: 'bad_request' });
    }
    expect((await api.request('GET', '/tenants/victim')).status).toBe(200);
  });

  it('serves the absolute-form, taking the host from the target (RFC 9112 §3.2.2)', async () => {
    const r = await rawRequest(url, 'GET http://localhost:8080/t/main/.well-known/openid-configuration HTTP/1.1\r\nHost: ignored.example');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ issuer: 'http://localhost:8080/t/main' });
    expect((await rawRequest(url, 'GET http://x:70000/healthz HTTP/1.1\r\nHost: localhost')).status).toBe(400);
    expect((await rawRequest(url, 'OPTIONS * HTTP/1.1\r\nHost: localhost')).status).toBe(400);
  });

  it('still serves paths whose escapes are needed (%40 in a search, %20) and decodes a path parameter once', async () => {
    const r = await rawRequest(url, `GET /api/v1/tenants/main/users?search=a%40b.example HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${api.adminKey}`);
    expect(r.status).toBe(200);
    const missing = await rawRequest(url, `GET /api/v1/tenants/no%20such HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${api.adminKey}`);
    expect(missing.status).toBe(404);
  });

  it('logs a client that disconnects mid-body as a debug event, not an error, and keeps serving', async () => {
    const before = api.logs.records().length;
    for (let i = 0; i < 5; i++) {
      await abortMidBody(url, `POST /api/v1/tenants HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${api.adminKey}\r\nContent-Type: application/json\r\nContent-Length: 1000`, '{"slug":"ab');
      await abortMidBody(url, 'POST /t/main/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000', 'grant_type=client_cre');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    await alive();
    const errors = api.logs.records().slice(before).filter((r) => (r.level as number) >= 50);
    expect(errors).toEqual([]);
  });

  it('mints its own request id; a caller-supplied X-Request-Id is kept only as upstream_request_id', async () => {
    const forged = 'someone-elses-request';
    const r = await get('/healthz', `\r\nX-Request-Id: ${forged}`);
    expect(r.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers['x-request-id']).not.toBe(forged);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = api.logs.records().find((l) => l.upstream_request_id === forged);
    expect(line).toMatchObject({ req_id: r.headers['x-request-id'], upstream_request_id: forged });
  });

  it('refuses a JSON body nested deeper than 32 levels with a message that says so', async () => {
    const deep = `${'['.repeat(3000)}${']'.repeat(3000)}`;
    const r = await api.request('POST', '/tenants', { raw: deep, headers: { 'content-type': 'application/json' }, unchecked: true });
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/deeper than 32 levels/);
    const ok = await api.request('POST', '/tenants', { json: { slug: 'nested', name: 'N', settings: {} }, unchecked: true });
    expect(ok.status).not.toBe(400);
  });
});
