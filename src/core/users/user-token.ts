import { randomDigits, safeEqual, sha256, typedSecret, uuidv7 } from '../../crypto/index.ts';
import type { Stores } from '../ports.ts';

/** What a mailed single-use token proves when it comes back. */
export const USER_TOKEN_KINDS = ['verify_email', 'reset_password', 'magic_link', 'email_change'] as const;
export type UserTokenKind = (typeof USER_TOKEN_KINDS)[number];

/**
 * A single-use link (and optional short code) mailed to a user (mirrors the
 * `user_tokens` table). Only SHA-256 hashes are stored; the token itself
 * exists only in the message.
 */
export interface UserToken {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly kind: UserTokenKind;
  readonly tokenHash: string;
  /** SHA-256 of `${id}:${code}` when a short code may be typed instead of following the link. */
  readonly codeHash: string | null;
  /** Kind-specific: `{ email }` for an email change, `{ interactionId, browserHash }` for a magic link, … */
  readonly data: Readonly<Record<string, unknown>>;
  /** Wrong codes typed so far. */
  readonly attempts: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly usedAt: number | null;
}

/** Wrong codes a token survives; the next one ends it (a 6-digit code cannot be guessed in 5 tries: 5 in 10^6). */
export const MAX_CODE_ATTEMPTS = 5;

/** The typed prefix of each kind's link token (`af_<prefix>_…`), so a leaked one says what it is. */
const PREFIX: Record<UserTokenKind, string> = { verify_email: 've', reset_password: 'pr', magic_link: 'ml', email_change: 'ec' };

/** What a mailed token is issued as: the link's token and, if asked for, a 6-digit code. Shown once. */
export interface IssuedUserToken {
  readonly record: UserToken;
  readonly token: string;
  readonly code: string | undefined;
}

/**
 * Issues a single-use token (256 random bits, SHA-256 at rest) for a user,
 * with `s` the stores of an open transaction. Earlier unused tokens of the
 * same kind stop working: only the newest link is valid.
 */
export async function issueUserToken(
  s: Stores,
  input: { tenantId: string; userId: string; kind: UserTokenKind; now: number; ttlMs: number; withCode?: boolean; data?: Record<string, unknown> },
): Promise<IssuedUserToken> {
  await s.userTokens.invalidate(input.tenantId, input.userId, [input.kind], input.now);
  const id = uuidv7(input.now);
  const token = typedSecret(PREFIX[input.kind]);
  const code = input.withCode ? randomDigits(6) : undefined;
  const record: UserToken = {
    id,
    tenantId: input.tenantId,
    userId: input.userId,
    kind: input.kind,
    tokenHash: sha256(token),
    codeHash: code === undefined ? null : codeHash(id, code),
    data: input.data ?? {},
    attempts: 0,
    createdAt: input.now,
    expiresAt: input.now + input.ttlMs,
    usedAt: null,
  };
  await s.userTokens.insert(record);
  return { record, token, code };
}

function codeHash(id: string, code: string): string {
  return sha256(`${id}:${code}`);
}

/** Why a presented token was refused: the page offers a new link either way. */
export type TokenRefusal = 'unknown' | 'used' | 'expired';

/** The unused, unexpired token of `kind` the link names, or why not (forged tokens are `unknown`). */
export async function findUserToken(s: Stores, tenantId: string, kind: UserTokenKind, token: string, now: number): Promise<UserToken | TokenRefusal> {
  if (!token.startsWith(`af_${PREFIX[kind]}_`) || token.length > 100) return 'unknown';
  const record = await s.userTokens.byHash(tenantId, sha256(token));
  if (!record || record.kind !== kind) return 'unknown';
  if (record.usedAt !== null) return 'used';
  if (record.expiresAt <= now) return 'expired';
  return record;
}

/**
 * Spends a token found by `findUserToken` (once: a concurrent second use
 * gets false).
 */
export function consumeUserToken(s: Stores, record: UserToken, now: number): Promise<boolean> {
  return s.userTokens.consume(record.tenantId, record.id, now);
}

/**
 * Checks a typed code against token `id` (constant time). A wrong code counts
 * an attempt; after MAX_CODE_ATTEMPTS the token is spent and a new one is needed.
 */
export async function checkUserTokenCode(s: Stores, record: UserToken, code: string, now: number): Promise<'ok' | 'wrong' | TokenRefusal> {
  if (record.usedAt !== null) return 'used';
  if (record.expiresAt <= now) return 'expired';
  if (record.codeHash === null) return 'unknown';
  const typed = code.replace(/\s+/g, '');
  if (/^\d{6}$/.test(typed) && safeEqual(codeHash(record.id, typed), record.codeHash)) return 'ok';
  const attempts = await s.userTokens.recordAttempt(record.tenantId, record.id);
  if (attempts >= MAX_CODE_ATTEMPTS) {
    await s.userTokens.consume(record.tenantId, record.id, now);
    return 'used';
  }
  return 'wrong';
}
