export { randomString, randomDigits, typedSecret, uuidv7, SECRET_BYTES } from './random.ts';
export { sha256, safeEqual, verifySecretHash, oidcTokenHash, pkceS256 } from './digest.ts';
export { deriveToken } from './derive.ts';
export { cspHash } from './csp.ts';
export { createPasswordHasher, DEFAULT_ARGON2, type Argon2Params, type PasswordHasher } from './password.ts';
export { parseKeyRing, generateMasterKey, KeyRingError, type KeyRing } from './keyring.ts';
export { generateSigningKey, SIGNING_ALGS, type SigningAlg, type GeneratedKey } from './jwk.ts';
export { importKey, signJwt, verifyJwt, inspectJwt, JwtInvalid, type SigningKeyHandle, type VerifyOptions, type JWTPayload, type JWTHeaderParameters } from './jwt.ts';
export { verifyJwtWithKeySet, type JSONWebKeySet } from './jwks.ts';
