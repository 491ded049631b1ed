import { z } from 'zod';
import { ValidationFailed } from '../errors.ts';
import { isEmail, normalizeEmail } from './user.ts';

// The profile fields an admin sets on a user (CLI and management API), with
// the rules every write path shares. Nullable members of an update clear.

/** Custom attributes: at most this much JSON, this deep, this many keys (all levels together). */
export const MAX_ATTRIBUTES_BYTES = 16 * 1024;
export const MAX_ATTRIBUTES_DEPTH = 5;
export const MAX_ATTRIBUTES_KEYS = 100;

const text = (max: number) => z.string().trim().min(1).max(max);

/** ITU-T E.164: `+`, a country code, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{1,14}$/;

export const emailSchema = z.string().max(320).describe('Stored trimmed and lower-cased; unique in the tenant (case-insensitive).');
export const phoneSchema = z.string().trim().regex(E164, 'must be an E.164 number such as +14155550123').describe('E.164, e.g. +14155550123.');
/** A BCP 47 language tag, stored in its canonical form (`en-us` → `en-US`). */
export const localeSchema = z
  .string()
  .trim()
  .min(2)
  .max(35)
  .transform((tag, ctx) => {
    try {
      const [canonical] = Intl.getCanonicalLocales(tag);
      if (canonical) return canonical;
    } catch {
      // RangeError: not a well-formed tag.
    }
    ctx.addIssue({ code: 'custom', message: 'must be a BCP 47 language tag such as en-US' });
    return z.NEVER;
  })
  .describe('BCP 47 language tag, e.g. en-US.');
export const pictureSchema = z
  .string()
  .trim()
  .max(2048)
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'https:' && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'must be an https URL')
  .describe('An https URL of the user\'s picture.');
export const externalIdSchema = text(255).describe('The id of this user in your own application; unique in the tenant.');
export const attributesSchema = z.record(z.string(), z.unknown()).describe(`Custom attributes (a JSON object: at most ${MAX_ATTRIBUTES_BYTES / 1024} KiB, ${MAX_ATTRIBUTES_DEPTH} levels deep, ${MAX_ATTRIBUTES_KEYS} keys).`);

const profile = {
  email_verified: z.boolean(),
  phone: phoneSchema,
  name: text(200),
  given_name: text(100),
  family_name: text(100),
  locale: localeSchema,
  picture: pictureSchema,
  attributes: attributesSchema,
  external_id: externalIdSchema,
};

export const createUserSchema = z.strictObject({
  email: emailSchema,
  email_verified: profile.email_verified.optional(),
  phone: profile.phone.optional(),
  name: profile.name.optional(),
  given_name: profile.given_name.optional(),
  family_name: profile.family_name.optional(),
  locale: profile.locale.optional(),
  picture: profile.picture.optional(),
  attributes: profile.attributes.optional(),
  external_id: profile.external_id.optional(),
  /** Clear text, hashed here; never stored or logged as given. */
  password: z.string().optional().describe('Clear text, checked against the tenant\'s password policy and stored as argon2id only.'),
});

export const updateUserSchema = z.strictObject({
  email: emailSchema.optional().describe('A new email address; email_verified becomes false unless given too.'),
  email_verified: profile.email_verified.optional(),
  phone: profile.phone.nullable().optional(),
  name: profile.name.nullable().optional(),
  given_name: profile.given_name.nullable().optional(),
  family_name: profile.family_name.nullable().optional(),
  locale: profile.locale.nullable().optional(),
  picture: profile.picture.nullable().optional(),
  attributes: profile.attributes.nullable().optional().describe('A JSON Merge Patch (RFC 7396) of the stored attributes: a null member removes it; null removes them all.'),
  external_id: profile.external_id.nullable().optional(),
});

export type CreateUserInput = z.output<typeof createUserSchema>;
export type UpdateUserInput = z.output<typeof updateUserSchema>;

/** A normalized email address, or ValidationFailed('email'). */
export function checkedEmail(raw: string): string {
  const email = normalizeEmail(raw);
  if (!isEmail(email)) throw new ValidationFailed('email', 'must be an email address such as ada@example.com');
  return email;
}

/** Enforces the size limits of custom attributes (they travel in tokens and userinfo: keep them small). */
export function checkAttributes(attributes: Readonly<Record<string, unknown>>): void {
  const bytes = Buffer.byteLength(JSON.stringify(attributes));
  if (bytes > MAX_ATTRIBUTES_BYTES) throw new ValidationFailed('attributes', `must be at most ${MAX_ATTRIBUTES_BYTES} bytes of JSON (got ${bytes})`);
  let keys = 0;
  const walk = (value: unknown, depth: number): void => {
    if (value === null || typeof value !== 'object') return;
    if (depth > MAX_ATTRIBUTES_DEPTH) throw new ValidationFailed('attributes', `must be nested at most ${MAX_ATTRIBUTES_DEPTH} levels deep`);
    if (Array.isArray(value)) return value.forEach((v) => walk(v, depth + 1));
    for (const v of Object.values(value)) {
      keys += 1;
      if (keys > MAX_ATTRIBUTES_KEYS) throw new ValidationFailed('attributes', `must have at most ${MAX_ATTRIBUTES_KEYS} keys in all`);
      walk(v, depth + 1);
    }
  };
  walk(attributes, 1);
}
