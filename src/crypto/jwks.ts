import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { JwtInvalid, verifyJwt, type SigningKeyHandle, type VerifyOptions } from './jwt.ts';

type KeySetResolver = ReturnType<typeof createLocalJWKSet>;

/** Resolvers per key set object (a client's `jwks`, or one fetch of its `jwks_uri`): imported keys are reused. */
const resolvers = new WeakMap<object, KeySetResolver>();

function resolverOf(jwks: JSONWebKeySet): KeySetResolver {
  let r = resolvers.get(jwks);
  if (!r) {
    try {
      r = createLocalJWKSet(jwks);
    } catch {
      throw new JwtInvalid('the key set is malformed');
    }
    resolvers.set(jwks, r);
  }
  return r;
}

/**
 * Verifies a JWT against a JWK Set (a client's keys, RFC 7523 §3): the key is
 * chosen by `kid`, `alg`, `kty`/`crv` and `use`; when several keys fit a
 * header without `kid`, each is tried. Only `options.algorithms` are
 * accepted, so `alg: none` and symmetric algorithms never reach a key.
 * Throws JwtInvalid with a client-safe message.
 */
export async function verifyJwtWithKeySet(token: string, jwks: JSONWebKeySet, options: VerifyOptions): Promise<{ payload: JWTPayload; header: JWTHeaderParameters }> {
  const resolve = resolverOf(jwks);
  let candidates: SigningKeyHandle[] | undefined;
  try {
    return await verifyJwt(
      token,
      async (header) => {
        try {
          return (await resolve(header)) as SigningKeyHandle;
        } catch (e) {
          if (e instanceof errors.JWKSNoMatchingKey) return undefined;
          if (e instanceof errors.JWKSMultipleMatchingKeys) {
            candidates = [];
            for await (const k of e as unknown as AsyncIterable<SigningKeyHandle>) candidates.push(k);
            throw new JwtInvalid('several keys match');
          }
          throw new JwtInvalid('the token is signed with a key or algorithm that is not accepted');
        }
      },
      options,
    );
  } catch (e) {
    if (!candidates) throw e;
  }
  let last: unknown = new JwtInvalid('the token is signed with an unknown key');
  for (const key of candidates) {
    try {
      return await verifyJwt(token, async () => key, options);
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

export type { JSONWebKeySet };
