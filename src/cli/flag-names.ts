// The management API names its fields as the JSON bodies do; the CLI user typed flags. A validation message
// names what the user wrote: `--grant`, not `grant_types.0`; `--set access_token_ttl`, not `settings.access_token_ttl`.

/** Body fields whose flag is not the field's name with dashes. */
const RENAMED: Record<string, string> = {
  redirect_uris: '--redirect-uri',
  post_logout_redirect_uris: '--post-logout-redirect-uri',
  grant_types: '--grant',
  scopes: '--scope',
  audiences: '--audience',
  token_endpoint_auth_method: '--auth-method',
  jwks: '--jwks-file',
  id_token_signed_response_alg: '--id-token-alg',
  cors_origins: '--cors-origin',
  grace_period: '--grace',
  slug: 'the tenant slug',
  password: 'the password',
};

/** The flag a body field was given with; `settings.x.y` is `--set x.y`. */
export function flagOf(field: string): string {
  // A CLI-side check may already name the flag as typed.
  if (field.startsWith('--')) return field;
  const parts = field.split('.').filter((p) => !/^\d+$/.test(p));
  if (parts[0] === 'settings' && parts.length > 1) return `--set ${parts.slice(1).join('.')}`;
  if (parts.length === 0 || parts[0] === 'body') return 'the input';
  const top = parts[0]!;
  const flag = RENAMED[top] ?? `--${top.replaceAll('_', '-')}`;
  return parts.length > 1 ? `${flag} (${parts.slice(1).join('.')})` : flag;
}
