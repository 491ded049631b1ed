import { generateSigningKey, uuidv7, type KeyRing } from '../../crypto/index.ts';
import { recordAudit } from '../audit/record.ts';
import type { Clock } from '../clock.ts';
import { Conflict, ValidationFailed } from '../errors.ts';
import { DEFAULT_TENANT_ALGS, signingKeyContext, type SigningKey } from '../keys/signing-key.ts';
import type { Repository } from '../ports.ts';
import { settingsOf, validateCustomDomain, validateSlug, type StoredSettings, type Tenant } from './tenant.ts';

export interface CreateTenantInput {
  readonly slug: string;
  readonly name?: string;
  readonly customDomain?: string | null;
  readonly settings?: StoredSettings;
  /** Who creates it (`admin`, `api_key:<id>`): the tenant's audit log then starts with `tenant.created`. */
  readonly actor?: string;
}

export interface CreateTenantDeps {
  readonly repo: Pick<Repository, 'transaction'>;
  readonly keyRing: KeyRing;
  readonly clock: Clock;
}

/**
 * Creates a tenant with its first signing keys (RS256 + ES256, active), in one
 * transaction: a failure leaves neither the tenant nor any key behind.
 */
export async function createTenant(deps: CreateTenantDeps, input: CreateTenantInput): Promise<{ tenant: Tenant; keys: SigningKey[] }> {
  const slug = validateSlug(input.slug);
  const customDomain = validateCustomDomain(input.customDomain);
  const name = (input.name ?? slug).trim();
  if (!name || name.length > 200) throw new ValidationFailed('name', 'must be 1–200 characters');

  const now = deps.clock.now();
  const tenant: Tenant = { id: uuidv7(now), slug, name, customDomain, settings: { ...(input.settings ?? {}) }, createdAt: now, updatedAt: now };
  settingsOf(tenant); // validates the settings before anything is written
  // Key generation is slow (RSA); do it before the transaction so the write lock is held briefly.
  const generated = await Promise.all(DEFAULT_TENANT_ALGS.map((alg) => generateSigningKey(alg)));
  const keys: SigningKey[] = generated.map((g) => ({
    id: uuidv7(now),
    tenantId: tenant.id,
    kid: g.kid,
    alg: g.alg,
    state: 'active',
    publicJwk: g.publicJwk,
    privateJwkEnc: deps.keyRing.encrypt(JSON.stringify(g.privateJwk), signingKeyContext(tenant.id, g.kid)),
    createdAt: now,
    activatedAt: now,
    retiredAt: null,
    expiresAt: null,
  }));

  await deps.repo.transaction(async (s) => {
    if (await s.tenants.bySlug(slug)) throw new Conflict(`a tenant with slug "${slug}" already exists`);
    if (customDomain && (await s.tenants.byDomain(customDomain))) throw new Conflict(`another tenant already uses the custom domain ${customDomain}`);
    await s.tenants.insert(tenant);
    for (const key of keys) await s.signingKeys.insert(key);
    if (input.actor) await recordAudit(s, { tenantId: tenant.id, at: now, actor: input.actor, action: 'tenant.created', target: `tenant:${tenant.id}`, data: { slug } });
  }, { durable: true });
  return { tenant, keys };
}
