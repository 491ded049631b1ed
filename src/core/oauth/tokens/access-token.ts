import { JwtInvalid, randomString, verifyJwt, type JWTHeaderParameters, type JWTPayload, type SigningKeyHandle } from '../../../crypto/index.ts';
import type { Client } from '../../clients/client.ts';
import type { Clock } from '../../clock.ts';
import type { RevocationStore } from '../../ports.ts';
import type { Tenant } from '../../tenants/tenant.ts';
import { InvalidToken } from '../errors.ts';
import type { TenantSigner } from './signer.ts';

/** RFC 9068 §2.1: access tokens are JWTs of this type, signed with the tenant's active key of this alg (docs/security.md). */
export const ACCESS_TOKEN_TYP = 'at+jwt';
export const ACCESS_TOKEN_ALG = 'ES256';

/** Seconds of clock skew tolerated between this server and another instance sharing the database. */
const CLOCK_TOLERANCE = 5;
/** Bytes of randomness in a `jti` (RFC 9068 §2.2, RFC 7519 §4.1.7): 128 bits, so a collision is never a concern. */
const JTI_BYTES = 16;

/** Claims of a user session that an access token carries (OIDC Core §2; `fid`/`gid` name the refresh-token family / grant it came from, for revocation). */
export interface SessionClaims {
  /** Seconds since the epoch. */
  readonly auth_time?: number | null;
  readonly acr?: string | null;
  readonly amr?: readonly string[] | null;
  readonly sid?: string | null;
  readonly fid?: string | null;
  readonly gid?: string | null;
}

export interface AccessTokenInput {
  readonly tenant: Tenant;
  readonly issuer: string;
  readonly client: Client;
  /** The resource owner: a user id, or the client_id for client_credentials (RFC 9068 §2.2). */
  readonly sub: string;
  readonly scopes: readonly string[];
  /** The resource servers the token is for (RFC 8707); none: the issuer itself (its userinfo endpoint). */
  readonly audience: readonly string[];
  /** Seconds. */
  readonly ttl: number;
  readonly claims?: SessionClaims;
}

/** The verified claims of an access token (RFC 9068 §2.2). */
export interface AccessTokenClaims extends JWTPayload {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | string[];
  readonly exp: number;
  readonly iat: number;
  readonly jti: string;
  readonly client_id: string;
  readonly scope?: string;
  readonly auth_time?: number;
  readonly acr?: string;
  readonly amr?: string[];
  readonly sid?: string;
  readonly fid?: string;
  readonly gid?: string;
}

/**
 * Mints an RFC 9068 access token: a JWT of type `at+jwt`, signed with the
 * tenant's active ES256 key. No database access: the key comes from the
 * signer's cache.
 */
export async function mintAccessToken(deps: { readonly signer: TenantSigner; readonly clock: Clock }, input: AccessTokenInput): Promise<string> {
  const iat = Math.floor(deps.clock.now() / 1000);
  const aud = input.audience.length === 0 ? input.issuer : input.audience.length === 1 ? input.audience[0]! : [...input.audience];
  const c: SessionClaims = input.claims ?? {};
  const claims: JWTPayload = {
    iss: input.issuer,
    sub: input.sub,
    aud,
    exp: iat + input.ttl,
    iat,
    jti: randomString(JTI_BYTES),
    client_id: input.client.clientId,
    ...(input.scopes.length ? { scope: input.scopes.join(' ') } : {}),
    ...(has(c.auth_time) ? { auth_time: c.auth_time } : {}),
    ...(has(c.acr) ? { acr: c.acr } : {}),
    ...(c.amr?.length ? { amr: [...c.amr] } : {}),
    ...(has(c.sid) ? { sid: c.sid } : {}),
    ...(has(c.fid) ? { fid: c.fid } : {}),
    ...(has(c.gid) ? { gid: c.gid } : {}),
  };
  return (await deps.signer.sign(input.tenant.id, ACCESS_TOKEN_ALG, claims, ACCESS_TOKEN_TYP)).jwt;
}

export interface AccessTokenVerifierDeps {
  readonly signer: TenantSigner;
  readonly revocations: RevocationStore;
  readonly clock: Clock;
}

const ALGORITHMS = [ACCESS_TOKEN_ALG] as const;
const REQUIRED = ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'] as const;

/**
 * Verifies an access token presented to this tenant (userinfo, introspection,
 * revocation): signature by a key this tenant publishes now (next, active, or
 * retired-unexpired — never another tenant's, never an expired one), `typ`
 * at+jwt, ES256 only (so never `alg: none` or HS*), this issuer, unexpired,
 * and not on the revocation list (its jti, or the family, grant or session it
 * carries). Throws InvalidToken (RFC 6750 §3.1) otherwise.
 *
 * The userinfo/introspection hot path: key lookup is in memory; the
 * revocation check is the one indexed query.
 */
export async function verifyAccessToken(deps: AccessTokenVerifierDeps, tenant: Tenant, issuer: string, token: string): Promise<AccessTokenClaims> {
  const now = deps.clock.now();
  let payload: JWTPayload;
  try {
    ({ payload } = await verifyJwt(token, (header) => keyFor(deps.signer, tenant.id, header), {
      algorithms: ALGORITHMS,
      issuer,
      typ: ACCESS_TOKEN_TYP,
      clockTolerance: CLOCK_TOLERANCE,
      currentDate: new Date(now),
      requiredClaims: REQUIRED,
    }));
  } catch (e) {
    if (e instanceof JwtInvalid) throw new InvalidToken(e.message);
    throw e;
  }
  const claims = payload as AccessTokenClaims;
  if (typeof claims.sub !== 'string' || typeof claims.jti !== 'string' || typeof claims.client_id !== 'string') throw new InvalidToken('the token is malformed');
  const revoked = await deps.revocations.anyRevoked(tenant.id, { jti: claims.jti, family: str(claims.fid), grant: str(claims.gid), session: str(claims.sid) }, now);
  if (revoked) throw new InvalidToken('the token has been revoked');
  return claims;
}

async function keyFor(signer: TenantSigner, tenantId: string, header: JWTHeaderParameters): Promise<SigningKeyHandle | undefined> {
  if (typeof header.kid !== 'string') return undefined;
  const found = await signer.verificationKey(tenantId, header.kid);
  // The header's alg must be the key's own (RFC 8725 §3.1): a key is never used with another algorithm.
  return found && found.alg === header.alg ? found.key : undefined;
}

/** Present: neither undefined nor null. */
const has = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
