import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

/** JWS algorithms authflow signs with. */
export const SIGNING_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

export interface GeneratedKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly publicJwk: JWK;
  readonly privateJwk: JWK;
}

/** Generates a signing key pair; the kid is its RFC 7638 thumbprint. */
export async function generateSigningKey(alg: SigningAlg): Promise<GeneratedKey> {
  const options = alg === 'RS256' ? { modulusLength: 2048, extractable: true } : { extractable: true, crv: alg === 'EdDSA' ? 'Ed25519' : undefined };
  const { publicKey, privateKey } = await generateKeyPair(alg, options);
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const meta = { kid, alg, use: 'sig' };
  return { kid, alg, publicJwk: { ...publicJwk, ...meta }, privateJwk: { ...(await exportJWK(privateKey)), ...meta } };
}
