import { verifySecretHash } from '../../crypto/index.ts';
import type { Principal } from '../admin/principal.ts';
import type { FailureBudget } from '../abuse/failure-throttle.ts';
import { normalizeIp } from '../abuse/network.ts';
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

/** Wrong API keys per key lookup id and per address, in five minutes, before the API answers 429 (docs/abuse.md). */
export const API_KEY_FAILURES = { perKey: 20, perAddress: 20, windowMs: 5 * 60_000 } as const;

/** The budgets a failed API key spends: its lookup id's (when it has one) and the address's. */
export function apiKeyFailureBudgets(token: string | undefined, ip: string | null): FailureBudget[] {
  const keyId = token ? apiKeyIdOf(token) : undefined;
  const budgets: FailureBudget[] = [{ key: `api-fail-ip:${normalizeIp(ip) ?? 'unknown'}`, max: API_KEY_FAILURES.perAddress, windowMs: API_KEY_FAILURES.windowMs }];
  if (keyId) budgets.push({ key: `api-fail-key:${keyId}`, max: API_KEY_FAILURES.perKey, windowMs: API_KEY_FAILURES.windowMs });
  return budgets;
}
