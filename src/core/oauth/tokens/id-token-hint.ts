import { inspectJwt, JwtInvalid, SIGNING_ALGS, verifyJwt, type JWTPayload } from '../../../crypto/index.ts';
import type { TenantSigner } from './signer.ts';

/** What an id_token_hint tells: who, for which clients, in which session. */
export interface IdTokenHint {
  readonly sub: string;
  readonly aud: readonly string[];
  readonly sid: string | null;
}

/**
 * Verifies an ID token this tenant issued, used as a hint (OIDC Core
 * §3.1.2.1 id_token_hint; RP-Initiated Logout 1.0 §2 and §4): the signature
 * with one of the tenant's published keys, `iss`, and a `sub`. Expiry is NOT
 * held against it — RP-Initiated Logout §4: the OP SHOULD accept ID tokens
 * "even when the exp time has passed" — so claims are checked as of the
 * token's own `iat`. Access tokens (`typ: at+jwt`) are not ID tokens.
 * Returns undefined when the token is not one of ours.
 */
export async function verifyIdTokenHint(signer: TenantSigner, tenantId: string, issuer: string, token: string): Promise<IdTokenHint | undefined> {
  if (token.length > 8192) return undefined;
  let iat: number;
  try {
    const { header, payload } = inspectJwt(token);
    if (typeof header.typ === 'string' && header.typ.toLowerCase() === 'at+jwt') return undefined;
    if (typeof payload.iat !== 'number') return undefined;
    iat = payload.iat;
  } catch {
    return undefined;
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await verifyJwt(
      token,
      async (header) => {
        const found = typeof header.kid === 'string' ? await signer.verificationKey(tenantId, header.kid) : undefined;
        return found && found.alg === header.alg ? found.key : undefined;
      },
      { algorithms: SIGNING_ALGS, issuer, currentDate: new Date(iat * 1000), clockTolerance: 5, requiredClaims: ['sub', 'aud'] },
    ));
  } catch (e) {
    if (e instanceof JwtInvalid) return undefined;
    throw e;
  }
  if (typeof payload.sub !== 'string') return undefined;
  const aud = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud.filter((a): a is string => typeof a === 'string') : [];
  return { sub: payload.sub, aud, sid: typeof payload.sid === 'string' ? payload.sid : null };
}
