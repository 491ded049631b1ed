import { CompactSign, compactVerify, createLocalJWKSet, decodeProtectedHeader, errors, exportJWK, generateKeyPair, importJWK, calculateJwkThumbprint, type JSONWebKeySet, type JWK } from 'jose';
import shippedKeys from './license-keys.json' with { type: 'json' };

/**
 * The vendor keys this build trusts for licenses. The build (scripts/build.ts)
 * replaces AUTHFLOW_LICENSE_KEYS with license-keys.json plus any keys from
 * AUTHFLOW_BUILD_LICENSE_KEYS; the test runner defines it the same way
 * (vitest.config.ts). Nothing read at run time can add a key.
 */
declare const AUTHFLOW_LICENSE_KEYS: JSONWebKeySet | undefined;

const TRUSTED: JSONWebKeySet = Object.freeze(typeof AUTHFLOW_LICENSE_KEYS === 'object' ? AUTHFLOW_LICENSE_KEYS : (shippedKeys as JSONWebKeySet));

/** The only JWS algorithm licenses and usage reports are signed with. */
export const LICENSE_ALG = 'EdDSA';

/** Why a signed document was refused; one sentence for the operator. */
export class SignatureInvalid extends Error {
  override name = 'SignatureInvalid';
}

export interface Ed25519KeyPair {
  readonly kid: string;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

/** The public vendor keys trusted by this build (for `license status` and doctor). */
export function trustedLicenseKeys(): JSONWebKeySet {
  return TRUSTED;
}

/** A new Ed25519 key pair; the kid is its RFC 7638 thumbprint. */
export async function generateEd25519Key(): Promise<Ed25519KeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(LICENSE_ALG, { crv: 'Ed25519', extractable: true });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub, 'sha256');
  const meta = { kid, alg: LICENSE_ALG, use: 'sig' };
  return { kid, publicJwk: { ...pub, ...meta }, privateJwk: { ...(await exportJWK(privateKey)), ...meta } };
}

/** The public half of an Ed25519 private JWK (`d` dropped), or SignatureInvalid when it is not one. */
export function publicOf(jwk: JWK): JWK {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new SignatureInvalid('the key is not an Ed25519 JWK');
  const { d: _d, ...pub } = jwk;
  return pub;
}

/** Signs `payload` (bytes of JSON) as a compact JWS with an Ed25519 private JWK. */
export async function signEd25519(privateJwk: JWK, payload: Uint8Array, typ: string): Promise<string> {
  if (privateJwk.kty !== 'OKP' || privateJwk.crv !== 'Ed25519' || typeof privateJwk.d !== 'string') throw new SignatureInvalid('the signing key is not an Ed25519 private JWK');
  const kid = privateJwk.kid ?? (await calculateJwkThumbprint(publicOf(privateJwk), 'sha256'));
  const key = await importJWK({ ...privateJwk, alg: LICENSE_ALG }, LICENSE_ALG);
  return new CompactSign(payload).setProtectedHeader({ alg: LICENSE_ALG, kid, typ }).sign(key);
}

/**
 * Verifies a compact JWS against a key set (the build's vendor keys unless
 * given): EdDSA only, so `none` and HMAC never reach a key; the header must
 * carry `typ`. Returns the payload bytes; their meaning is the caller's to judge.
 */
export async function verifyEd25519(jws: string, typ: string, keys: JSONWebKeySet = TRUSTED): Promise<{ payload: Uint8Array; kid: string | undefined }> {
  let header;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    throw new SignatureInvalid('it is not a signed document (the JWS is malformed or truncated)');
  }
  if (header.alg !== LICENSE_ALG) throw new SignatureInvalid(`it is signed with ${typeof header.alg === 'string' ? header.alg : 'no algorithm'}, and only EdDSA (Ed25519) is accepted`);
  if (header.typ !== typ) throw new SignatureInvalid(`it is not of the expected type (${typ})`);
  try {
    const result = await compactVerify(jws, createLocalJWKSet(keys), { algorithms: [LICENSE_ALG] });
    return { payload: result.payload, kid: header.kid };
  } catch (e) {
    if (e instanceof errors.JWKSNoMatchingKey) throw new SignatureInvalid('it is signed by a key this installation does not trust');
    if (e instanceof errors.JWSSignatureVerificationFailed) throw new SignatureInvalid('its signature does not verify (the document was altered or signed by someone else)');
    throw new SignatureInvalid('it is not a valid signed document (the JWS is malformed or truncated)');
  }
}
