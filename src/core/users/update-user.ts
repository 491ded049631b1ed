import { recordAudit } from '../audit/record.ts';
import type { Clock } from '../clock.ts';
import { NotFound } from '../errors.ts';
import type { Repository } from '../ports.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { parseInput } from '../validation.ts';
import { assertUnique } from './create-user.ts';
import { revokeUserAccess } from './revoke-access.ts';
import type { User } from './user.ts';
import { checkAttributes, checkedEmail, updateUserSchema } from './user-input.ts';

type Deps = { readonly repo: Pick<Repository, 'transaction'>; readonly clock: Clock };

/** JSON Merge Patch (RFC 7396) of attributes: a null member removes it, objects merge, anything else replaces. */
function mergeAttributes(target: Readonly<Record<string, unknown>>, patch: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    if (v === null) delete out[k];
    else if (typeof v === 'object' && !Array.isArray(v)) {
      const base = out[k];
      out[k] = mergeAttributes(base && typeof base === 'object' && !Array.isArray(base) ? (base as Record<string, unknown>) : {}, v as Record<string, unknown>);
    } else out[k] = v;
  }
  return out;
}

/**
 * Updates a user's profile: members given replace the stored ones (null
 * clears), `attributes` merges (RFC 7396). A new email resets email_verified
 * unless `email_verified` is given too; a new phone resets phone_verified.
 * `check` runs on the stored user inside the transaction (If-Match).
 * Recorded as `user.updated` with the names of the fields changed (never values).
 */
export async function updateUser(deps: Deps, tenant: Tenant, userId: string, input: unknown, options: { actor: string; check?: (current: User) => void }): Promise<User> {
  const body = parseInput(updateUserSchema, input);
  const email = body.email !== undefined ? checkedEmail(body.email) : undefined;
  return deps.repo.transaction(async (s) => {
    const current = await s.users.byId(tenant.id, userId);
    if (!current) throw new NotFound(`no user "${userId}" in tenant ${tenant.slug}`);
    options.check?.(current);
    const emailChanged = email !== undefined && email !== current.email;
    const phoneChanged = body.phone !== undefined && body.phone !== current.phone;
    const attributes = body.attributes === undefined ? current.attributes : body.attributes === null ? {} : mergeAttributes(current.attributes, body.attributes);
    if (body.attributes) checkAttributes(attributes);
    const next: User = {
      ...current,
      email: email ?? current.email,
      emailVerified: body.email_verified ?? (emailChanged ? false : current.emailVerified),
      phone: body.phone === undefined ? current.phone : body.phone,
      phoneVerified: phoneChanged ? false : current.phoneVerified,
      name: body.name === undefined ? current.name : body.name,
      givenName: body.given_name === undefined ? current.givenName : body.given_name,
      familyName: body.family_name === undefined ? current.familyName : body.family_name,
      locale: body.locale === undefined ? current.locale : body.locale,
      picture: body.picture === undefined ? current.picture : body.picture,
      attributes,
      externalId: body.external_id === undefined ? current.externalId : body.external_id,
    };
    const changed = changedFields(current, next);
    if (!changed.length) return current;
    const now = deps.clock.now();
    const updated: User = { ...next, updatedAt: now };
    await assertUnique(s, updated);
    await s.users.update(updated);
    await recordAudit(s, { tenantId: tenant.id, at: now, actor: options.actor, action: 'user.updated', target: `user:${current.id}`, data: { fields: changed } });
    return updated;
  });
}

const FIELDS = { email: 'email', emailVerified: 'email_verified', phone: 'phone', phoneVerified: 'phone_verified', name: 'name', givenName: 'given_name', familyName: 'family_name', locale: 'locale', picture: 'picture', attributes: 'attributes', externalId: 'external_id' } as const;

function changedFields(a: User, b: User): string[] {
  return (Object.keys(FIELDS) as (keyof typeof FIELDS)[]).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map((k) => FIELDS[k]);
}

/**
 * Disables (signs the user out everywhere: sessions end, refresh tokens are
 * revoked, access tokens are refused from now on) or enables a user.
 * Recorded as `user.disabled` / `user.enabled`; doing it twice is a no-op.
 */
export async function setUserDisabled(deps: Deps, tenant: Tenant, userId: string, disabled: boolean, actor: string): Promise<User> {
  return deps.repo.transaction(async (s) => {
    const current = await s.users.byId(tenant.id, userId);
    if (!current) throw new NotFound(`no user "${userId}" in tenant ${tenant.slug}`);
    const now = deps.clock.now();
    // Signing out again is harmless, and closes any session that raced the first disable.
    const revoked = disabled ? await revokeUserAccess(s, { tenantId: tenant.id, userId, now }) : undefined;
    if (current.disabled === disabled) return current;
    const updated: User = { ...current, disabled, updatedAt: now };
    await s.users.update(updated);
    await recordAudit(s, { tenantId: tenant.id, at: now, actor, action: disabled ? 'user.disabled' : 'user.enabled', target: `user:${userId}`, data: revoked ? { sessions_ended: revoked.sessions, refresh_families_revoked: revoked.refreshFamilies } : {} });
    return updated;
  });
}
