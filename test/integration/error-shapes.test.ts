// An exception nobody meant for the client, thrown inside a handler of each
// surface, answers in that surface's shape (RFC 6749 §5.2 `server_error`
// JSON with the route's CORS headers; an HTML page with the request id;
// RFC 9457 problem+json) and nothing of it reaches the wire; it is logged once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ServerError } from '../../src/core/oauth/errors.ts';
import { appDeps } from '../../src/server/app.ts';
import { h3Path } from '../../src/server/api/mount.ts';
import { endpoint } from '../../src/server/api/route.ts';
import { mountOAuth } from '../../src/server/oauth/mount.ts';
import { pageRoute } from '../../src/server/pages/page-route.ts';
import { mountPlainRoutes } from '../../src/server/route-table.ts';
import { DATABASES, startAuthflow, TRANSPORTS, type Harness } from '../helpers/server.ts';

const INTERNAL = 'relation "users" violates constraint users_email_key (SELECT password_hash FROM users)';
const boom = (): never => {
  throw new Error(INTERNAL);
};

function mountThrowingRoutes(h: Harness): void {
  const deps = appDeps(h.app)!;
  mountOAuth(h.app, deps, [{ method: 'POST', path: '/token/fail', cors: 'any', handler: () => async () => boom() }]);
  mountPlainRoutes(h.app, deps, [{ method: 'GET', path: '/t/:tenant/account/fail', handler: (d) => pageRoute(d, async () => boom()) }]);
  const api = { method: 'GET', path: '/fail', operationId: 'fail', summary: 'Fails', tag: 'meta', scope: null, ok: { status: 200, description: 'Never.', schema: z.object({}) }, handle: async () => boom() } as const;
  h.app.get(h3Path(api.path), endpoint(api, deps));
  h.app.get('/fail', boom);
}

for (const database of DATABASES) {
  for (const transport of TRANSPORTS) {
    describe(`an unexpected exception in a handler, per surface (${database}, ${transport})`, () => {
      let h: Harness;
      beforeAll(async () => {
        h = await startAuthflow(transport, { database });
        mountThrowingRoutes(h);
      });
      afterAll(() => h?.stop());

      const unhandledLogged = () => h.logs.records().filter((r) => r.msg === 'unhandled error').length;

      it('OAuth: RFC 6749 §5.2 JSON `server_error` (500), with the route\'s CORS headers and nothing internal', async () => {
        const before = unhandledLogged();
        const res = await h.fetch('/t/main/token/fail', { method: 'POST', headers: { origin: 'https://app.example' } });
        expect(res.status).toBe(500);
        expect(res.headers.get('content-type')).toBe('application/json');
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.headers.get('access-control-allow-origin')).toBe('*');
        const text = await res.text();
        expect(JSON.parse(text)).toEqual({ error: 'server_error', error_description: new ServerError().message });
        expect(text).not.toContain('users');
        expect(unhandledLogged()).toBe(before + 1);
      });

      it('pages: an HTML error page in the tenant\'s look, with the request id, and nothing internal', async () => {
        const before = unhandledLogged();
        const res = await h.fetch('/t/main/account/fail');
        expect(res.status).toBe(500);
        expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
        const html = await res.text();
        const tenant = await appDeps(h.app)!.directory.tenantBySlug('main');
        expect(html).toContain(`<title>Something went wrong · ${tenant!.name}</title>`);
        const id = res.headers.get('x-request-id');
        expect(id).toBeTruthy();
        expect(html).toContain(`<code>${id}</code>`);
        expect(html).toContain('<code>server_error</code>');
        expect(html).not.toContain('password_hash');
        expect(html).not.toContain('Error:  ');
        expect(unhandledLogged()).toBe(before + 1);
      });

      it('management API: problem+json 500 with no detail of the cause', async () => {
        const res = await h.fetch('/api/v1/fail');
        expect(res.status).toBe(500);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        const text = await res.text();
        expect(JSON.parse(text)).toEqual({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'The server could not complete the request.' });
      });

      it('operations: problem+json 500 with no detail of the cause', async () => {
        const res = await h.fetch('/fail');
        expect(res.status).toBe(500);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(await res.text()).not.toContain('users');
      });

      it('the log has the cause (class and message) for the operator', () => {
        const logged = h.logs.records().filter((r) => r.msg === 'unhandled error');
        expect(logged.length).toBeGreaterThanOrEqual(4);
        expect(JSON.stringify(logged[0])).toContain('violates constraint');
      });
    });
  }
}
