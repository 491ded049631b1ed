import { verifySecretHash } from '../../crypto/index.ts';
import type { Principal } from '../admin/principal.ts';
import type { ApiKey } from './api-key.ts';

const FORMAT = /^af_([a-z0-9]{1,12})_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** The lookup id inside a presented API key, or undefined when it is not one. */
export function apiKeyIdOf(token: string): string | undefined {
  return FORMAT.exec(token)?.[2];
}

/**
 * Resolves a presented API key to a principal. Every failure — malformed,
 * unknown, wrong secret, revoked, expired — is the same `undefined`, so a
 * caller cannot tell which it was.
 */
export async function authenticateApiKey(token: string, lookup: (keyId: string) => Promise<ApiKey | undefined>, now: number): Promise<(Principal & { apiKeyId: string }) | undefined> {
  const keyId = apiKeyIdOf(token);
  if (!keyId) return undefined;
  const key = await lookup(keyId);
  // Compare even when the key is unknown, so timing does not tell the two apart.
  const ok = verifySecretHash(token, key?.secretHash ?? 'x'.repeat(43));
  if (!key || !ok || key.revokedAt !== null || (key.expiresAt !== null && now >= key.expiresAt)) return undefined;
  return { kind: 'api_key', apiKeyId: key.id, tenantId: key.tenantId, scopes: key.scopes };
}
