import type { ClientAuthMethod } from './method.ts';
import { authFailed } from './internal/credentials.ts';

/**
 * OIDC Core §9 `none`: a public client names itself with `client_id` and
 * proves nothing (PKCE protects its codes). Never accepted for a confidential
 * client.
 */
export const none: ClientAuthMethod = {
  name: 'none',
  presented: (req) => req.params.has('client_id'),
  claimedClientId: (req) => req.params.get('client_id'),
  async verify(_req, client) {
    if (!client || client.type !== 'public') throw authFailed();
  },
};
