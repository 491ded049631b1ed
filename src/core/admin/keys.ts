import { z } from 'zod';
import { generateSigningKey, SIGNING_ALGS, uuidv7 } from '../../crypto/index.ts';
import { Conflict, NotFound, NotPermitted } from '../errors.ts';
import { activeKeyFor, keyStatus } from '../keys/lifecycle.ts';
import { signingKeyContext, type SigningKey } from '../keys/signing-key.ts';
import { maxSignedTokenTtl } from '../tenants/settings.ts';
import { settingsOf, type Tenant } from '../tenants/tenant.ts';
import type { Stores } from '../ports.ts';
import { parseInput } from '../validation.ts';
import type { AdminDeps } from './deps.ts';
import { findTenant } from './internal.ts';
import { recordAdminAudit } from './audit.ts';
import { requireScope, type Principal } from './principal.ts';
import { keyView, type KeyView } from './views.ts';

export const rotateKeySchema = z.strictObject({
  alg: z.enum(SIGNING_ALGS),
  /** Seconds the new key is published before it signs; default: the tenant's key_rotation_delay. */
  delay: z.number().int().min(0).max(30 * 86_400).optional(),
});

/** How long a retired key must stay published: the longest-lived token it may have signed. */
async function publishWindowMs(s: Stores, tenant: Tenant): Promise<number> {
  return maxSignedTokenTtl(settingsOf(tenant), [await s.clients.maxAccessTokenTtl(tenant.id)]) * 1000;
}

export function keyAdmin(deps: AdminDeps) {
  return {
    async list(p: Principal, tenantRef: string): Promise<KeyView[]> {
      requireScope(p, 'keys:read');
      const tenant = await findTenant(deps.repo, p, tenantRef);
      const now = deps.clock.now();
      return (await deps.repo.signingKeys.listByTenant(tenant.id)).map((k) => keyView(k, now));
    },

    /**
     * Adds a new key for `alg`. It is published at once and starts signing
     * after `delay` seconds, when the current key retires; the retired key stays
     * published until every token it signed has expired.
     */
    async rotate(p: Principal, tenantRef: string, input: unknown): Promise<{ key: KeyView; retiring: KeyView | null }> {
      requireScope(p, 'keys:write');
      const body = parseInput(rotateKeySchema, input);
      const tenant = await findTenant(deps.repo, p, tenantRef);
      const generated = await generateSigningKey(body.alg);
      return deps.repo.transaction(async (s) => {
        const now = deps.clock.now();
        const keys = await s.signingKeys.listByTenant(tenant.id);
        const pending = keys.find((k) => k.alg === body.alg && keyStatus(k, now) === 'next');
        if (pending) throw new Conflict(`a ${body.alg} rotation is already pending: key ${pending.kid} starts signing at ${new Date(pending.activatedAt!).toISOString()}`);
        const current = activeKeyFor(keys, body.alg, now);
        // With no current key of this alg there is nobody to keep signing meanwhile: activate at once.
        const delayMs = current ? (body.delay ?? settingsOf(tenant).key_rotation_delay) * 1000 : 0;
        const activatesAt = now + delayMs;
        const key: SigningKey = {
          id: uuidv7(now),
          tenantId: tenant.id,
          kid: generated.kid,
          alg: generated.alg,
          state: delayMs > 0 ? 'next' : 'active',
          publicJwk: generated.publicJwk,
          privateJwkEnc: deps.keyRing.encrypt(JSON.stringify(generated.privateJwk), signingKeyContext(tenant.id, generated.kid)),
          createdAt: now,
          activatedAt: activatesAt,
          retiredAt: null,
          expiresAt: null,
        };
        await s.signingKeys.insert(key);
        let retiring: SigningKey | null = null;
        if (current) {
          retiring = { ...current, retiredAt: activatesAt, expiresAt: activatesAt + (await publishWindowMs(s, tenant)) };
          await s.signingKeys.update(retiring);
        }
        await recordAdminAudit(s, p, now, tenant.id, 'key.rotated', `key:${key.kid}`, { alg: key.alg, activates_at: activatesAt, retiring: retiring?.kid ?? null });
        return { key: keyView(key, now), retiring: retiring ? keyView(retiring, now) : null };
      }, { durable: true });
    },

    /** Stops a key signing now; it stays published until its tokens expire. The last active key of an alg cannot be retired. */
    async retire(p: Principal, tenantRef: string, kid: string): Promise<KeyView> {
      requireScope(p, 'keys:write');
      const tenant = await findTenant(deps.repo, p, tenantRef);
      return deps.repo.transaction(async (s) => {
        const now = deps.clock.now();
        const keys = await s.signingKeys.listByTenant(tenant.id);
        const key = keys.find((k) => k.kid === kid);
        if (!key) throw new NotFound(`no signing key "${kid}" in tenant ${tenant.slug}`);
        const status = keyStatus(key, now);
        if (status === 'retired' || status === 'expired') return keyView(key, now);
        const successor = keys.find((k) => k.alg === key.alg && k.id !== key.id && ['active', 'next'].includes(keyStatus(k, now)));
        if (status === 'active' && !successor) throw new NotPermitted(`${kid} is the only ${key.alg} key; run "key rotate --alg ${key.alg} --delay 0" first`);
        if (successor && keyStatus(successor, now) === 'next') {
          // Retiring the current key early promotes the pending one now.
          await s.signingKeys.update({ ...successor, state: 'active', activatedAt: now });
        }
        const retired: SigningKey = { ...key, state: 'retired', retiredAt: now, expiresAt: now + (status === 'next' ? 0 : await publishWindowMs(s, tenant)) };
        await s.signingKeys.update(retired);
        await recordAdminAudit(s, p, now, tenant.id, 'key.retired', `key:${kid}`, { alg: key.alg });
        return keyView(retired, now);
      }, { durable: true });
    },
  };
}
