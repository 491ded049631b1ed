import { z } from 'zod';
import { uuidv7, type PasswordHasher } from '../../crypto/index.ts';
import type { Clock } from '../clock.ts';
import { ValidationFailed } from '../errors.ts';
import type { Repository } from '../ports.ts';
import { settingsOf, type Tenant } from '../tenants/tenant.ts';
import { parseInput } from '../validation.ts';
import { PASSWORD } from './password.ts';
import { isEmail, normalizeEmail, type User } from './user.ts';

const text = (max: number) => z.string().trim().min(1).max(max).optional();

export const createUserSchema = z.strictObject({
  email: z.string().max(320),
  email_verified: z.boolean().optional(),
  name: text(200),
  given_name: text(100),
  family_name: text(100),
  /** Clear text, hashed here; never stored or logged as given. */
  password: z.string().optional(),
});

type Deps = { readonly repo: Repository; readonly passwords: PasswordHasher; readonly clock: Clock };

/**
 * Creates a user with an optional password (argon2id, checked against the
 * tenant's password policy). The email is trimmed and case-folded; a second
 * user with the same email in the tenant is a Conflict.
 */
export async function createUser(deps: Deps, tenant: Tenant, input: unknown): Promise<User> {
  const body = parseInput(createUserSchema, input);
  const email = normalizeEmail(body.email);
  if (!isEmail(email)) throw new ValidationFailed('email', 'must be an email address such as ada@example.com');
  if (body.password !== undefined) {
    const min = settingsOf(tenant).password_policy.min_length;
    if ([...body.password].length < min) throw new ValidationFailed('password', `must be at least ${min} characters (the tenant's password_policy.min_length)`);
    if (body.password.length > 1024) throw new ValidationFailed('password', 'must be at most 1024 characters');
  }
  // Hash before the transaction: argon2 takes tens of milliseconds and must not hold the write lock.
  const hash = body.password !== undefined ? await deps.passwords.hash(body.password) : undefined;
  const now = deps.clock.now();
  const user: User = {
    id: uuidv7(now),
    tenantId: tenant.id,
    email,
    emailVerified: body.email_verified ?? false,
    phone: null,
    phoneVerified: false,
    name: body.name ?? null,
    givenName: body.given_name ?? null,
    familyName: body.family_name ?? null,
    locale: null,
    picture: null,
    attributes: {},
    externalId: null,
    disabled: false,
    createdAt: now,
    updatedAt: now,
    lastLoginAt: null,
  };
  await deps.repo.transaction(async (s) => {
    await s.users.insert(user);
    if (hash) await s.credentials.insert({ id: uuidv7(now), userId: user.id, tenantId: tenant.id, kind: PASSWORD, secret: hash, data: {}, createdAt: now, lastUsedAt: null });
  });
  return user;
}
