import type { ClientAuthMethod } from './method.ts';
import { authFailed, secretMatches } from './internal/credentials.ts';

/** RFC 6749 §2.3.1 client_secret_post: `client_id` and `client_secret` in the form body. */
export const clientSecretPost: ClientAuthMethod = {
  name: 'client_secret_post',
  presented: (req) => req.params.has('client_secret'),
  claimedClientId: (req) => req.params.get('client_id'),
  async verify(req, client, deps) {
    if (!secretMatches(client, req.params.get('client_secret') ?? '', deps.clock.now())) throw authFailed();
  },
};
