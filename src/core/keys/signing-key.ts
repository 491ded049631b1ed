import type { JWK } from 'jose';
import type { SigningAlg } from '../../crypto/index.ts';

/** Lifecycle: `next` (published, not yet signing) → `active` (signing) → `retired` (published until its tokens expire). */
export type SigningKeyState = 'next' | 'active' | 'retired';

export interface SigningKey {
  readonly id: string;
  readonly tenantId: string;
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly state: SigningKeyState;
  readonly publicJwk: JWK;
  /** The private JWK encrypted under the master key ring (bound to `signingKeyContext`). */
  readonly privateJwkEnc: string;
  readonly createdAt: number;
  readonly activatedAt: number | null;
  readonly retiredAt: number | null;
  readonly expiresAt: number | null;
}

/** Associated data for a signing key's ciphertext: a ciphertext moved to another row fails to decrypt. */
export function signingKeyContext(tenantId: string, kid: string): string {
  return `signing_key:${tenantId}:${kid}`;
}

/** Algorithms every tenant gets at creation: RS256 (OIDC's mandatory ID token alg) and ES256 (access tokens). */
export const DEFAULT_TENANT_ALGS: readonly SigningAlg[] = ['RS256', 'ES256'];
