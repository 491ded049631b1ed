import { decodeJwt, decodeProtectedHeader, errors, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTHeaderParameters, type JWTPayload, type KeyObject } from 'jose';
import type { SigningAlg } from './jwk.ts';

export type SigningKeyHandle = CryptoKey | KeyObject;

/** Imports a private (signing) or public (verification) JWK for `alg`. */
export async function importKey(jwk: JWK, alg: SigningAlg | string): Promise<SigningKeyHandle> {
  return (await importJWK(jwk, alg)) as SigningKeyHandle;
}

/** Signs a JWT (JWS compact) with the given protected header and claims. */
export async function signJwt(key: SigningKeyHandle, header: { alg: SigningAlg; kid: string; typ?: string }, claims: JWTPayload): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header).sign(key);
}

/** Why a JWT was refused; safe to show a client. */
export class JwtInvalid extends Error {
  override name = 'JwtInvalid';
}

export interface VerifyOptions {
  readonly algorithms: readonly string[];
  readonly issuer?: string;
  readonly audience?: string | readonly string[];
  /** Required `typ` header (e.g. `at+jwt`, RFC 9068 §4). */
  readonly typ?: string;
  /** Seconds of allowed clock skew. */
  readonly clockTolerance?: number;
  readonly currentDate?: Date;
  readonly requiredClaims?: readonly string[];
  readonly maxTokenAge?: number | string;
}

/**
 * Verifies a JWT's signature and claims. `keyFor` returns the key for the
 * token's header (by `kid`); returning undefined refuses the token. `alg: none`
 * and algorithms outside `algorithms` are always refused.
 */
export async function verifyJwt(
  token: string,
  keyFor: (header: JWTHeaderParameters) => Promise<SigningKeyHandle | undefined>,
  options: VerifyOptions,
): Promise<{ payload: JWTPayload; header: JWTHeaderParameters }> {
  try {
    const result = await jwtVerify(
      token,
      async (header) => {
        const key = await keyFor(header as JWTHeaderParameters);
        if (!key) throw new JwtInvalid('the token is signed with an unknown key');
        return key;
      },
      {
        algorithms: [...options.algorithms],
        ...(options.issuer !== undefined ? { issuer: options.issuer } : {}),
        ...(options.audience !== undefined ? { audience: options.audience as string | string[] } : {}),
        ...(options.typ !== undefined ? { typ: options.typ } : {}),
        clockTolerance: options.clockTolerance ?? 0,
        ...(options.currentDate ? { currentDate: options.currentDate } : {}),
        ...(options.requiredClaims ? { requiredClaims: [...options.requiredClaims] } : {}),
        ...(options.maxTokenAge !== undefined ? { maxTokenAge: options.maxTokenAge } : {}),
      },
    );
    return { payload: result.payload, header: result.protectedHeader as JWTHeaderParameters };
  } catch (e) {
    if (e instanceof JwtInvalid) throw e;
    if (e instanceof errors.JWTExpired) throw new JwtInvalid('the token has expired');
    if (e instanceof errors.JWTClaimValidationFailed) throw new JwtInvalid(`the token's "${e.claim}" claim is not acceptable`);
    if (e instanceof errors.JOSEAlgNotAllowed) throw new JwtInvalid('the token is signed with an algorithm that is not accepted');
    if (e instanceof errors.JWSSignatureVerificationFailed) throw new JwtInvalid('the token signature does not verify');
    throw new JwtInvalid('the token is malformed');
  }
}

/** Reads a JWT's header and claims WITHOUT verifying it (for `token decode` and key lookup). */
export function inspectJwt(token: string): { header: JWTHeaderParameters; payload: JWTPayload } {
  try {
    return { header: decodeProtectedHeader(token) as JWTHeaderParameters, payload: decodeJwt(token) };
  } catch {
    throw new JwtInvalid('the token is malformed');
  }
}

export type { JWK, JWTPayload, JWTHeaderParameters };
