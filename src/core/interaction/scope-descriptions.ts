import { settingsOf, type Tenant } from '../tenants/tenant.ts';
import type { ScopeLine } from './pages.ts';

/** OIDC Core §5.4 standard scopes in words a user understands. */
const STANDARD: Readonly<Record<string, string>> = {
  openid: 'Sign you in and know who you are',
  profile: 'Your name, profile picture and other basic profile details',
  email: 'Your email address',
  address: 'Your postal address',
  phone: 'Your phone number',
  offline_access: 'Keep access while you are not using it (stay connected)',
};

/** The requested scopes with their descriptions (custom scopes: the tenant's description, else their name). */
export function describeScopes(tenant: Tenant, scopes: readonly string[]): ScopeLine[] {
  const custom = settingsOf(tenant).scopes;
  return scopes.map((name) => ({ name, description: STANDARD[name] ?? custom[name]?.description ?? name }));
}
