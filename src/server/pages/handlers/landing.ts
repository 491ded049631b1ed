import { getRouterParam, HTTPError, type H3Event } from 'h3';
import type { ServerDeps } from '../../deps.ts';
import { pageTenant } from '../context.ts';
import { errorPage, pageResponse } from '../page.ts';

type Deps = Pick<ServerDeps, 'directory' | 'publicUrl'>;

/** GET / — what this server is, for a person who opened its address. Names no tenant (they are not listed to strangers). */
export function serverHome(_deps: Deps) {
  return (_event: H3Event): Response =>
    pageResponse('home', {
      title: 'authflow',
      tenantName: null,
      heading: 'authflow',
      message: 'This is an OpenID Connect provider. Applications send you here to sign in; each organisation it serves has its own address under /t/ (ask the application or your administrator which one is yours). Administrators: the guides are in the docs/ folder of the authflow distribution, and "authflow --help" lists every command.',
      links: [{ href: '/api/v1/openapi.json', label: 'Management API reference', note: 'OpenAPI 3.1, for administrators and developers' }],
    });
}

/** GET /t/:tenant — the tenant's front page, in its look: the account page, and what apps connect to. */
export function tenantHome(deps: Deps) {
  return async (event: H3Event): Promise<Response> => {
    const t = await pageTenant(event, deps);
    if (t instanceof Response) return t;
    return pageResponse('home', {
      title: t.tenant.name,
      tenantName: t.tenant.name,
      heading: t.tenant.name,
      message: `Sign-in service of ${t.tenant.name}. Applications send you here to sign in.`,
      links: [
        { href: `${t.base}/account`, label: 'Your account', note: 'profile, password, where you are signed in, apps with access' },
        { href: `${t.base}/forgot-password`, label: 'Forgot your password?', note: null },
        { href: `${t.base}/.well-known/openid-configuration`, label: 'OpenID Connect discovery', note: 'for developers connecting an app' },
      ],
    });
  };
}

/** Any other GET a browser makes: an HTML 404 (in the tenant's look under /t/{tenant}); machines keep the JSON answer. */
export function pageNotFound(deps: Deps) {
  return async (event: H3Event): Promise<Response> => {
    if (!(event.req.headers.get('accept') ?? '').includes('text/html')) throw new HTTPError({ status: 404 });
    const slug = getRouterParam(event, 'tenant');
    const t = slug ? await pageTenant(event, deps) : undefined;
    if (t instanceof Response) return t;
    return errorPage(404, 'Page not found', t ? `${t.tenant.name} has no page at this address. Your account page is at ${t.issuer}/account.` : 'There is no page at this address.', { code: 'not_found', ...(t ? { tenantName: t.tenant.name } : {}) });
  };
}
