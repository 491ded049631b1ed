import { randomString, sha256, uuidv7 } from '../../crypto/index.ts';
import type { Clock } from '../clock.ts';
import { ValidationFailed } from '../errors.ts';
import type { Stores } from '../ports.ts';
import type { ApiKey } from './api-key.ts';

export interface CreateApiKeyInput {
  readonly tenantId: string | null;
  readonly name: string;
  readonly scopes: readonly string[];
  /** Environment label in the key's prefix, e.g. `live` or `test`. */
  readonly env?: string;
  readonly expiresAt?: number | null;
}

const SCOPE = /^(\*|[a-z_]+:(read|write))$/;
const ENV = /^[a-z0-9]{1,12}$/;

/**
 * Creates an API key `af_<env>_<keyId>_<secret>` (256-bit secret). Returns the
 * full token once; only its SHA-256 is stored.
 */
export async function createApiKey(deps: { stores: Stores; clock: Clock }, input: CreateApiKeyInput): Promise<{ apiKey: ApiKey; token: string }> {
  const env = input.env ?? 'live';
  if (!ENV.test(env)) throw new ValidationFailed('env', 'must be 1–12 lower-case letters or digits');
  const name = input.name.trim();
  if (!name || name.length > 200) throw new ValidationFailed('name', 'must be 1–200 characters');
  if (input.scopes.length === 0) throw new ValidationFailed('scopes', 'at least one scope is required');
  for (const s of input.scopes) if (!SCOPE.test(s)) throw new ValidationFailed('scopes', `"${s}" is not a scope (use e.g. tenants:read, clients:write or *)`);

  const now = deps.clock.now();
  const keyId = randomString(9).replace(/[-_]/g, 'x');
  const secret = randomString();
  const token = `af_${env}_${keyId}_${secret}`;
  const apiKey: ApiKey = {
    id: uuidv7(now),
    tenantId: input.tenantId,
    name,
    keyId,
    secretHash: sha256(token),
    scopes: [...new Set(input.scopes)],
    expiresAt: input.expiresAt ?? null,
    lastUsedAt: null,
    useCount: 0,
    revokedAt: null,
    createdAt: now,
  };
  await deps.stores.apiKeys.insert(apiKey);
  return { apiKey, token };
}
