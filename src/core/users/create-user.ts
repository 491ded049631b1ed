import { uuidv7, type PasswordHasher } from '../../crypto/index.ts';
import { recordAudit } from '../audit/record.ts';
import type { Clock } from '../clock.ts';
import { Conflict } from '../errors.ts';
import type { Repository, Stores } from '../ports.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { parseInput } from '../validation.ts';
import { PASSWORD } from './password.ts';
import { checkPasswordPolicy } from './password-policy.ts';
import type { User } from './user.ts';
import { checkAttributes, checkedEmail, createUserSchema } from './user-input.ts';

export { createUserSchema } from './user-input.ts';

type Deps = { readonly repo: Pick<Repository, 'transaction'>; readonly passwords: PasswordHasher; readonly clock: Clock };

/**
 * Creates a user with an optional password (argon2id, checked against the
 * tenant's password policy). The email is trimmed and case-folded; a second
 * user with the same email or external id in the tenant is a Conflict.
 * Recorded in the audit log as `user.created` by `actor` (default `admin`).
 */
export async function createUser(deps: Deps, tenant: Tenant, input: unknown, options: { actor?: string } = {}): Promise<User> {
  const body = parseInput(createUserSchema, input);
  const email = checkedEmail(body.email);
  if (body.attributes) checkAttributes(body.attributes);
  if (body.password !== undefined) checkPasswordPolicy(tenant, body.password, { email });
  // Hash before the transaction: argon2 takes tens of milliseconds and must not hold the write lock.
  const hash = body.password !== undefined ? await deps.passwords.hash(body.password) : undefined;
  const now = deps.clock.now();
  const user: User = {
    id: uuidv7(now),
    tenantId: tenant.id,
    email,
    emailVerified: body.email_verified ?? false,
    phone: body.phone ?? null,
    phoneVerified: false,
    name: body.name ?? null,
    givenName: body.given_name ?? null,
    familyName: body.family_name ?? null,
    locale: body.locale ?? null,
    picture: body.picture ?? null,
    attributes: body.attributes ?? {},
    externalId: body.external_id ?? null,
    disabled: false,
    createdAt: now,
    updatedAt: now,
    lastLoginAt: null,
  };
  await deps.repo.transaction(async (s) => {
    await assertUnique(s, user);
    await s.users.insert(user);
    if (hash) await s.credentials.insert({ id: uuidv7(now), userId: user.id, tenantId: tenant.id, kind: PASSWORD, secret: hash, data: {}, createdAt: now, lastUsedAt: null });
    await recordAudit(s, { tenantId: tenant.id, at: now, actor: options.actor ?? 'admin', action: 'user.created', target: `user:${user.id}`, data: { password: hash !== undefined } });
  });
  return user;
}

/**
 * Conflict when another user of the tenant has `user`'s email or external id,
 * with a message naming which (the unique indexes still decide under a race).
 */
export async function assertUnique(s: Stores, user: User): Promise<void> {
  const byEmail = await s.users.byEmail(user.tenantId, user.email);
  if (byEmail && byEmail.id !== user.id) throw new Conflict('a user with that email already exists in this tenant');
  if (user.externalId !== null) {
    const byExternal = await s.users.byExternalId(user.tenantId, user.externalId);
    if (byExternal && byExternal.id !== user.id) throw new Conflict(`a user with external_id "${user.externalId}" already exists in this tenant`);
  }
}
