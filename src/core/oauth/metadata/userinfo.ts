import { supportedUserClaims } from '../claims.ts';
import type { EndpointCapability } from './capability.ts';

/**
 * OIDC Core §5.3 UserInfo endpoint. With it come the user claims the tenant
 * can release (to UserInfo and in ID tokens: one mapping, see claims.ts) and
 * the ID token's own claims (OIDC Core §2).
 */
export const USERINFO_ENDPOINT: EndpointCapability = {
  endpoint: { member: 'userinfo_endpoint', path: '/userinfo' },
  metadata: (settings) => ({
    claims_supported: ['auth_time', 'nonce', 'acr', 'amr', 'azp', 'sid', 'at_hash', ...supportedUserClaims(settings)],
  }),
};
