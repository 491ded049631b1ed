import { inspectJwt, JwtInvalid, sha256, verifyJwtWithKeySet, type JSONWebKeySet, type JWTPayload } from '../../../crypto/index.ts';
import type { Client } from '../../clients/client.ts';
import { InvalidClient, InvalidRequest } from '../errors.ts';
import type { ClientAuthDeps, ClientAuthMethod, ClientAuthRequest } from './method.ts';
import { authFailed } from './internal/credentials.ts';

/** RFC 7523 §2.2: the only client_assertion_type this server accepts. */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Algorithms a client may sign its assertion with: asymmetric only, never `none` or HS* (RFC 8725 §3.1). */
export const ASSERTION_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;

/** Seconds of clock skew tolerated on exp/nbf/iat. */
const CLOCK_TOLERANCE = 30;
/** An assertion may not be valid for longer than this (seconds from now): keeps the used-jti record short-lived. */
const MAX_LIFETIME = 600;
const MAX_JTI_LENGTH = 256;

/**
 * private_key_jwt (OIDC Core §9, RFC 7523 §2.2 and §3): a JWT signed with a
 * key of the client's `jwks`/`jwks_uri`, `iss` = `sub` = client_id, `aud` =
 * the issuer or the token endpoint URL, `exp` required and near, `jti`
 * required and accepted once.
 */
export const privateKeyJwt: ClientAuthMethod = {
  name: 'private_key_jwt',
  presented: (req) => req.params.has('client_assertion') || req.params.has('client_assertion_type'),
  claimedClientId(req) {
    const assertion = req.params.get('client_assertion');
    if (!assertion) return undefined;
    try {
      const { sub } = inspectJwt(assertion).payload;
      return typeof sub === 'string' ? sub : undefined;
    } catch {
      return undefined;
    }
  },
  async verify(req, client, deps) {
    const assertion = req.params.get('client_assertion');
    const type = req.params.get('client_assertion_type');
    if (!assertion || !type) throw new InvalidRequest('client_assertion and client_assertion_type go together (RFC 7521 §4.2)');
    if (type !== JWT_BEARER_ASSERTION) throw new InvalidRequest(`client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
    if (!client) throw authFailed();
    const payload = await verifyAssertion(req, client, assertion, deps);
    const now = deps.clock.now();
    if (payload.exp! > Math.floor(now / 1000) + MAX_LIFETIME + CLOCK_TOLERANCE) throw new InvalidClient(`the client assertion must expire within ${MAX_LIFETIME} seconds (RFC 7523 §3)`);
    const jti = payload.jti;
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) throw new InvalidClient('the client assertion needs a "jti" claim (RFC 7523 §3)');
    const key = sha256(`${req.tenant.id}\n${client.clientId}\n${jti}`);
    const fresh = await deps.usedJtis.use(key, (payload.exp! + CLOCK_TOLERANCE) * 1000, now);
    if (!fresh) throw new InvalidClient('the client assertion was already used (RFC 7523 §3: "jti" is single-use)');
  },
};

async function verifyAssertion(req: ClientAuthRequest, client: Client, assertion: string, deps: ClientAuthDeps): Promise<JWTPayload> {
  const options = {
    algorithms: ASSERTION_ALGS,
    issuer: client.clientId,
    audience: [req.issuer, req.tokenEndpoint],
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'jti'],
    clockTolerance: CLOCK_TOLERANCE,
    currentDate: new Date(deps.clock.now()),
  };
  const attempt = async (keys: JSONWebKeySet | undefined): Promise<JWTPayload> => {
    if (!keys) throw new InvalidClient("the client's keys could not be obtained");
    try {
      const { payload } = await verifyJwtWithKeySet(assertion, keys, options);
      if (payload.sub !== client.clientId) throw new InvalidClient('the client assertion\'s "sub" must be the client_id (RFC 7523 §3)');
      return payload;
    } catch (e) {
      if (e instanceof JwtInvalid) throw new InvalidClient(`invalid client assertion: ${e.message}`);
      throw e;
    }
  };
  try {
    return await attempt(await deps.clientKeys.keysOf(client));
  } catch (e) {
    // The client may have rotated its keys behind jwks_uri: fetch them again (rate-limited) and retry once.
    if (!client.jwksUri || !(e instanceof InvalidClient)) throw e;
    const fresh = await deps.clientKeys.keysOf(client, { refresh: true });
    if (!fresh) throw e;
    return attempt(fresh);
  }
}
