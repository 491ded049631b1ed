import { acceptedAuthMethods, usesClientSecret, type Client, type TokenEndpointAuthMethod } from '../../clients/client.ts';
import type { Directory } from '../../directory.ts';
import { RateLimited } from '../../errors.ts';
import { normalizeIp } from '../../abuse/network.ts';
import { settingsOf } from '../../tenants/tenant.ts';
import { ClientAuthThrottled, InvalidClient, InvalidRequest } from '../errors.ts';
import { clientSecretBasic } from './client-secret-basic.ts';
import { clientSecretPost } from './client-secret-post.ts';
import { authFailed } from './internal/credentials.ts';
import type { ClientAuthDeps, ClientAuthMethod, ClientAuthRequest } from './method.ts';
import { none } from './none.ts';
import { privateKeyJwt } from './private-key-jwt.ts';

export { ASSERTION_ALGS, JWT_BEARER_ASSERTION } from './private-key-jwt.ts';
export { createClientKeys, type ClientKeys, type ClientKeysOptions } from './internal/client-keys.ts';
export type { ClientAuthDeps, ClientAuthRequest } from './method.ts';

/** Methods that carry credentials; `none` is what is left when a request carries none of them. */
const CREDENTIAL_METHODS: readonly ClientAuthMethod[] = [clientSecretBasic, clientSecretPost, privateKeyJwt];

const SECRET_METHODS: readonly TokenEndpointAuthMethod[] = ['client_secret_basic', 'client_secret_post'];

/** Every method the token endpoint accepts (its `token_endpoint_auth_methods_supported`). */
export const TOKEN_ENDPOINT_AUTH_METHODS: readonly TokenEndpointAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];
/** RFC 7662 §2.1: introspection requires real authentication, so not `none`. */
export const INTROSPECTION_AUTH_METHODS: readonly TokenEndpointAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];
/** RFC 7009 §2.1 / §5: a public client revokes its tokens with its client_id alone. */
export const REVOCATION_AUTH_METHODS: readonly TokenEndpointAuthMethod[] = TOKEN_ENDPOINT_AUTH_METHODS;

export interface ClientAuthenticator {
  /**
   * Authenticates the client of a token, introspection or revocation request
   * with the one method it registered (`token_endpoint_auth_method`), which
   * must also be one the endpoint accepts (`methods`). Throws InvalidClient
   * (401 with a Basic challenge), or InvalidRequest when the request mixes
   * methods (RFC 6749 §2.3) or names two different clients.
   */
  authenticate(req: ClientAuthRequest, methods: readonly TokenEndpointAuthMethod[]): Promise<Client>;
}

export function createClientAuthenticator(deps: ClientAuthDeps & { readonly directory: Directory }): ClientAuthenticator {
  return {
    async authenticate(req, methods) {
      try {
        return await authenticate(req, methods);
      } catch (e) {
        if (e instanceof InvalidClient) {
          // The log names the client a failure was for; the wire says no more than before.
          if (e.clientId === undefined) e.clientId = claimed(req);
          await countFailure(deps, req, e.clientId);
        }
        throw e;
      }
    },
  };

  async function authenticate(req: ClientAuthRequest, methods: readonly TokenEndpointAuthMethod[]): Promise<Client> {
    const presented = CREDENTIAL_METHODS.filter((m) => m.presented(req));
    if (presented.length > 1) throw new InvalidRequest(`the request uses ${presented.map((m) => m.name).join(' and ')}: a client must use one authentication method per request (RFC 6749 §2.3)`);
    const method = presented[0] ?? (none.presented(req) ? none : undefined);
    if (!method) throw new InvalidClient('client authentication is required');
    const clientId = method.claimedClientId(req);
    const bodyClientId = req.params.get('client_id');
    if (clientId !== undefined && bodyClientId !== undefined && bodyClientId !== clientId) throw new InvalidRequest('client_id does not match the client the credentials are for');
    const found = clientId ? await deps.directory.client(clientId) : undefined;
    // A client of another tenant is as unknown here as one that does not exist.
    const client = found && found.tenantId === req.tenant.id ? found : undefined;
    // Only where this endpoint accepts the method: that depends on no client, so it may be said to anyone.
    if (!methods.includes(method.name)) {
      await method.verify(req, undefined, deps).catch(() => undefined); // the same work as any failure
      throw new InvalidClient(`this endpoint does not accept ${method.name}; use ${methods.join(', ')}`);
    }
    // Only the client's registered methods (OIDC Core §9, RFC 7591 §2). A secret sent the other secret
    // way is still checked: when it is right, its holder is told which way to send it, which reveals
    // nothing an attacker could use; when it is wrong, the answer is the one every failure gets.
    const accepted = client ? acceptedAuthMethods(client.tokenEndpointAuthMethod) : [];
    const checkable = client !== undefined && (accepted.includes(method.name) || (SECRET_METHODS.includes(method.name) && usesClientSecret(client.tokenEndpointAuthMethod)));
    await method.verify(req, checkable ? client : undefined, deps);
    if (!client || !checkable) throw authFailed();
    if (!accepted.includes(method.name)) throw new InvalidClient(`client ${client.clientId} is registered for ${accepted.join(' or ')}, but the request used ${method.name}`);
    return client;
  }
}

/** The client_id a request names, by whichever method it uses (unverified). */
function claimed(req: ClientAuthRequest): string | undefined {
  for (const m of CREDENTIAL_METHODS) if (m.presented(req)) return m.claimedClientId(req);
  return req.params.get('client_id');
}

/** A failed client authentication spends the tenant's budgets for the claimed client id and the address (docs/abuse.md). */
async function countFailure(deps: ClientAuthDeps, req: ClientAuthRequest, clientId: string | undefined): Promise<void> {
  if (!deps.failures) return;
  const th = settingsOf(req.tenant).throttle;
  const budgets = [{ key: `client-fail-ip:${req.tenant.id}:${normalizeIp(req.ip) ?? 'unknown'}`, max: th.client_auth_failures_per_address.max, windowMs: th.client_auth_failures_per_address.window * 1000 }];
  if (clientId) budgets.push({ key: `client-fail:${req.tenant.id}:${clientId.slice(0, 200)}`, max: th.client_auth_failures_per_client.max, windowMs: th.client_auth_failures_per_client.window * 1000 });
  try {
    await deps.failures.fail(budgets, 'client_auth');
  } catch (e) {
    if (e instanceof RateLimited) throw new ClientAuthThrottled(e.retryAfter);
    throw e;
  }
}
