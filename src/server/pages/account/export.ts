import { exportUserData } from '../../../core/users/account.ts';
import { accountRoute, type AccountServerDeps } from './context.ts';

/**
 * GET /t/:tenant/account/export — "download my data" (GDPR Art. 15 and 20):
 * everything held about the user as a JSON attachment, never cached. A GET
 * (a plain link): a cross-site page can make the browser download it but
 * cannot read it.
 */
export function accountExport(deps: AccountServerDeps) {
  return accountRoute(deps, async ({ s }) => {
    const data = await exportUserData(deps.accounts, s.t.tenant, s.user.id);
    const headers = new Headers({
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="${s.t.tenant.slug}-account-data.json"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    });
    return new Response(`${JSON.stringify(data, null, 2)}\n`, { status: 200, headers });
  });
}
