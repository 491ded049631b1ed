// The peer: oidc-provider (the OpenID-certified Node.js OP), run as its own
// process by the bench. Configured as shared/notes/peers.md says, to compare
// like with like: one client_secret_basic client, client_credentials and
// introspection enabled, JWT ES256 access tokens through resource indicators
// (the default resource), and an opaque-token resource for introspection
// (oidc-provider refuses to introspect its JWTs), introspection restricted to
// the token's own client.
// Env: BENCH_PORT, BENCH_CLIENT_ID, BENCH_CLIENT_SECRET.
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';

export const JWT_RESOURCE = 'urn:bench:jwt';
export const OPAQUE_RESOURCE = 'urn:bench:opaque';

const port = Number(process.env.BENCH_PORT);
const clientId = process.env.BENCH_CLIENT_ID!;
const clientSecret = process.env.BENCH_CLIENT_SECRET!;
const issuer = `http://127.0.0.1:${port}`;

const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'bench-es256' };

type Ctx = unknown;
type TokenLike = { clientId?: string };
type ClientLike = { clientId: string };

const provider = new Provider(issuer, {
  clients: [{ client_id: clientId, client_secret: clientSecret, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'ES256' }],
  jwks: { keys: [jwk] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true, allowedPolicy: async (_ctx: Ctx, client: ClientLike, token: TokenLike) => token.clientId === client.clientId },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx: Ctx, _client: ClientLike, oneOf?: string) => oneOf ?? JWT_RESOURCE,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx: Ctx, resource: string) => {
        if (resource === JWT_RESOURCE) return { scope: 'api', audience: JWT_RESOURCE, accessTokenTTL: 3600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
        if (resource === OPAQUE_RESOURCE) return { scope: 'api', audience: OPAQUE_RESOURCE, accessTokenTTL: 3600, accessTokenFormat: 'opaque' };
        throw new errors.InvalidTarget();
      },
    },
  },
});

const server = provider.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
