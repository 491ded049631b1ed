import { sha256, typedSecret, uuidv7 } from '../../crypto/index.ts';
import type { Clock } from '../clock.ts';
import type { Repository } from '../ports.ts';

/**
 * An authorization code (RFC 6749 §4.1.2) as stored: only the SHA-256 of the
 * code itself, with everything the token endpoint needs to redeem it.
 */
export interface AuthorizationCode {
  readonly codeHash: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly userId: string;
  readonly grantId: string;
  readonly sessionId: string | null;
  readonly redirectUri: string;
  /** Space-separated. */
  readonly scope: string;
  readonly nonce: string | null;
  readonly codeChallenge: string | null;
  readonly codeChallengeMethod: 'S256' | null;
  /** The OIDC Core §5.5 `claims` request, as parsed at the authorization endpoint. */
  readonly claims: Record<string, unknown> | null;
  /** Milliseconds. */
  readonly authTime: number;
  readonly acr: string | null;
  readonly amr: readonly string[];
  /** The refresh-token family the code starts, so a replay can revoke what it issued. */
  readonly familyId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly usedAt: number | null;
}

type Deps = { readonly repo: Pick<Repository, 'authCodes'>; readonly clock: Clock };

/**
 * Issues a code: 256 random bits with the `af_ac_` prefix; only its SHA-256 is
 * stored, like every machine secret. Returns the code, to be sent once to the redirect URI.
 */
export async function issueAuthorizationCode(
  deps: Deps,
  input: Omit<AuthorizationCode, 'codeHash' | 'createdAt' | 'expiresAt' | 'usedAt' | 'familyId'> & { ttlSeconds: number },
): Promise<string> {
  const { ttlSeconds, ...fields } = input;
  const code = typedSecret('ac');
  const now = deps.clock.now();
  await deps.repo.authCodes.insert({ ...fields, codeHash: sha256(code), familyId: uuidv7(now), createdAt: now, expiresAt: now + ttlSeconds * 1000, usedAt: null });
  return code;
}

/**
 * Atomically marks the code used. Returns the record as it was BEFORE this
 * call: undefined if unknown (or another tenant's); `usedAt !== null` means it
 * had already been used (a replay, RFC 6749 §4.1.2 / RFC 9700 §4.2.4). The
 * caller checks `expiresAt`, the client and the redirect URI.
 */
export async function consumeAuthorizationCode(deps: Deps, tenantId: string, code: string): Promise<AuthorizationCode | undefined> {
  // Only codes of our shape can exist; anything else is unknown without a lookup.
  if (!code.startsWith('af_ac_') || code.length > 100) return undefined;
  return deps.repo.authCodes.consume(tenantId, sha256(code), deps.clock.now());
}
