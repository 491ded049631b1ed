import { z } from 'zod';
import { inspectPasswordHash, sha256, uuidv7, type PasswordHasher } from '../../../crypto/index.ts';
import { recordAudit } from '../../audit/record.ts';
import type { Clock } from '../../clock.ts';
import { isAuthflowError } from '../../errors.ts';
import type { Repository, Stores } from '../../ports.ts';
import type { Tenant } from '../../tenants/tenant.ts';
import { parseInput } from '../../validation.ts';
import { PASSWORD } from '../password.ts';
import { checkPasswordPolicy } from '../password-policy.ts';
import type { Credential, User } from '../user.ts';
import { checkAttributes, checkedEmail, createUserSchema } from '../user-input.ts';
import type { ImportRecord } from './records.ts';

type Deps = { readonly repo: Repository; readonly passwords: PasswordHasher; readonly clock: Clock };

/** One row as `user import` accepts it: the fields of `user create`, plus a hash made elsewhere. */
export const importRowSchema = z.strictObject({
  ...createUserSchema.shape,
  disabled: z.boolean().optional(),
  password_hash: z.string().max(1024).optional().describe('A hash made elsewhere (argon2id/argon2i, bcrypt, scrypt, PBKDF2), stored as it is and upgraded to argon2id at the next sign-in.'),
});

export interface ImportOptions {
  /** An existing user (matched by external_id, then email): update it (default) or leave it alone. */
  readonly onConflict?: 'update' | 'skip';
  /** Validate every row and count what would happen; write nothing. */
  readonly dryRun?: boolean;
  /** Rows per transaction (default 500). */
  readonly batchSize?: number;
  /** Plain-text passwords hashed at once (argon2id; default 2). */
  readonly concurrency?: number;
  /** Called for every row that is not imported, in file order. */
  readonly onError?: (error: ImportRowError) => void;
  /** Audit actor (default `admin`). */
  readonly actor?: string;
}

/** Why one row was not imported (never its values: no email, password or hash). */
export interface ImportRowError {
  readonly line: number;
  readonly field?: string;
  readonly error: string;
}

export interface ImportSummary {
  created: number;
  updated: number;
  /** Existing users the row changed nothing about. */
  unchanged: number;
  /** Existing users left alone (`onConflict: 'skip'`). */
  skipped: number;
  failed: number;
  dry_run: boolean;
}

/** A validated row, ready to write. */
interface Row {
  readonly line: number;
  readonly email: string;
  readonly input: z.output<typeof importRowSchema>;
  /** A hash to store: the row's own, or argon2id of its password (set before the batch's transaction). */
  secret: string | undefined;
  /** The row's password already matches the stored hash (a re-import): leave the credential alone. */
  samePassword?: boolean;
}

/**
 * Credential data marking a hash that came from an import, by its digest:
 * re-importing the same file must not put back a hash that was since
 * upgraded to argon2id at sign-in.
 */
const IMPORTED = 'imported_sha256';

/** Validates a row without touching the database: schema, email, attributes, password policy or hash format. */
function validate(tenant: Tenant, record: ImportRecord): Row | ImportRowError {
  if ('error' in record) return { line: record.line, error: record.error };
  try {
    const input = parseInput(importRowSchema, record.fields);
    const email = checkedEmail(input.email);
    if (input.attributes) checkAttributes(input.attributes);
    if (input.password !== undefined && input.password_hash !== undefined) return { line: record.line, field: 'password', error: 'password: give password or password_hash, not both' };
    if (input.password !== undefined) checkPasswordPolicy(tenant, input.password, { email });
    if (input.password_hash !== undefined) {
      const inspected = inspectPasswordHash(input.password_hash);
      if (!inspected.ok) return { line: record.line, field: 'password_hash', error: `password_hash: ${inspected.reason}` };
    }
    return { line: record.line, email, input, secret: input.password_hash };
  } catch (e) {
    if (!isAuthflowError(e)) throw e;
    return { line: record.line, ...(e.field ? { field: e.field } : {}), error: e.message };
  }
}

/** Runs `fn` over `items` with at most `limit` at once. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

type Outcome = 'created' | 'updated' | 'unchanged' | 'skipped' | ImportRowError;

/** The user row after applying the fields the import row gives (absent fields keep their value). */
function merged(current: User, row: Row, now: number): User {
  const i = row.input;
  return {
    ...current,
    email: row.email,
    emailVerified: i.email_verified ?? (row.email !== current.email ? false : current.emailVerified),
    phone: i.phone ?? current.phone,
    phoneVerified: i.phone !== undefined && i.phone !== current.phone ? false : current.phoneVerified,
    name: i.name ?? current.name,
    givenName: i.given_name ?? current.givenName,
    familyName: i.family_name ?? current.familyName,
    locale: i.locale ?? current.locale,
    picture: i.picture ?? current.picture,
    attributes: i.attributes ?? current.attributes,
    externalId: i.external_id ?? current.externalId,
    disabled: i.disabled ?? current.disabled,
    updatedAt: now,
  };
}

const SAME = (a: User, b: User) => JSON.stringify({ ...a, updatedAt: 0 }) === JSON.stringify({ ...b, updatedAt: 0 });

/** Applies a row to an existing user; returns what happened and the user as stored now. */
async function updateRow(s: Stores, tenant: Tenant, current: User, row: Row, options: ImportOptions, now: number): Promise<{ outcome: Outcome; user?: User }> {
  if (options.onConflict === 'skip') return { outcome: 'skipped' };
  const ext = row.input.external_id;
  if (current.email !== row.email) {
    const holder = await s.users.byEmail(tenant.id, row.email);
    if (holder && holder.id !== current.id) return { outcome: { line: row.line, field: 'email', error: 'email: belongs to another user than the one with this external_id' } };
  }
  if (current.externalId !== null && ext !== undefined && current.externalId !== ext) return { outcome: { line: row.line, field: 'external_id', error: 'external_id: the user with this email already has another external_id' } };
  const next = merged(current, row, now);
  const profileChanged = !SAME(current, next);
  const stored = row.secret !== undefined ? (await s.credentials.ofUser(tenant.id, current.id, PASSWORD))[0] : undefined;
  const passwordChanged = row.secret !== undefined && !row.samePassword && stored?.secret !== row.secret && stored?.data[IMPORTED] !== sha256(row.secret);
  if (!profileChanged && !passwordChanged) return { outcome: 'unchanged' };
  if (options.dryRun) return { outcome: 'updated', user: next };
  if (profileChanged) await s.users.update(next);
  if (passwordChanged) {
    await s.credentials.deleteOfUser(tenant.id, current.id, PASSWORD);
    await s.credentials.insert(credentialOf(tenant, current.id, row, now));
  }
  return { outcome: 'updated', user: next };
}

function newUser(tenant: Tenant, row: Row, now: number): User {
  const i = row.input;
  return {
    id: uuidv7(now),
    tenantId: tenant.id,
    email: row.email,
    emailVerified: i.email_verified ?? false,
    phone: i.phone ?? null,
    phoneVerified: false,
    name: i.name ?? null,
    givenName: i.given_name ?? null,
    familyName: i.family_name ?? null,
    locale: i.locale ?? null,
    picture: i.picture ?? null,
    attributes: i.attributes ?? {},
    externalId: i.external_id ?? null,
    disabled: i.disabled ?? false,
    createdAt: now,
    updatedAt: now,
    lastLoginAt: null,
  };
}

/**
 * Writes a batch with the stores of an open transaction (a dry run only
 * reads): existing users are found with two queries for the whole batch, new
 * users and their passwords are inserted with one statement each. A row about
 * a user an earlier row of the batch created sees that user.
 */
async function writeBatch(s: Stores, tenant: Tenant, rows: readonly Row[], options: ImportOptions, now: number): Promise<Outcome[]> {
  const exts = rows.flatMap((r) => (r.input.external_id !== undefined ? [r.input.external_id] : []));
  const byExt = new Map((await s.users.byExternalIds(tenant.id, exts)).map((u) => [u.externalId!, u]));
  const byEmail = new Map((await s.users.byEmails(tenant.id, rows.map((r) => r.email))).map((u) => [u.email, u]));
  const remember = (user: User, previous?: User) => {
    if (previous) {
      byEmail.delete(previous.email);
      if (previous.externalId !== null) byExt.delete(previous.externalId);
    }
    byEmail.set(user.email, user);
    if (user.externalId !== null) byExt.set(user.externalId, user);
  };
  const users: User[] = [];
  const credentials: Credential[] = [];
  const insertPending = async () => {
    if (!users.length) return;
    await s.users.insertMany(users);
    await s.credentials.insertMany(credentials);
    users.length = 0;
    credentials.length = 0;
  };
  const out: Outcome[] = [];
  for (const row of rows) {
    const ext = row.input.external_id;
    const current = (ext !== undefined ? byExt.get(ext) : undefined) ?? byEmail.get(row.email);
    if (current) {
      // Updates read the database (who holds an email): the users created so far go in first.
      await insertPending();
      const r = await updateRow(s, tenant, current, row, options, now);
      if (r.user) remember(r.user, current);
      out.push(r.outcome);
      continue;
    }
    const user = newUser(tenant, row, now);
    remember(user);
    out.push('created');
    if (options.dryRun) continue;
    users.push(user);
    if (row.secret !== undefined) credentials.push(credentialOf(tenant, user.id, row, now));
  }
  await insertPending();
  return out;
}

function credentialOf(tenant: Tenant, userId: string, row: Row, now: number): Credential {
  const data = row.input.password_hash !== undefined ? { [IMPORTED]: sha256(row.input.password_hash) } : {};
  return { id: uuidv7(now), userId, tenantId: tenant.id, kind: PASSWORD, secret: row.secret!, data, createdAt: now, lastUsedAt: null };
}

/**
 * argon2id of a row's plain-text password, outside any transaction; when the
 * user exists and the password already verifies against the stored hash
 * (re-import of the same file), the row changes nothing instead.
 */
async function hashPassword(deps: Deps, tenant: Tenant, row: Row, onConflict: ImportOptions['onConflict']): Promise<void> {
  const password = row.input.password!;
  const ext = row.input.external_id;
  const existing = (ext !== undefined ? await deps.repo.users.byExternalId(tenant.id, ext) : undefined) ?? (await deps.repo.users.byEmail(tenant.id, row.email));
  if (existing && onConflict === 'skip') return;
  const stored = existing ? (await deps.repo.credentials.ofUser(tenant.id, existing.id, PASSWORD))[0]?.secret : undefined;
  if (stored && (await deps.passwords.verify(stored, password))) {
    row.samePassword = true;
    row.secret = stored;
    return;
  }
  row.secret = await deps.passwords.hash(password);
}

/**
 * Imports users into `tenant` from `records` (see records.ts), streaming:
 * rows are validated one by one, plain-text passwords hashed (argon2id, a few
 * at a time) outside any transaction, and rows written `batchSize` per
 * transaction, so memory stays bounded for millions of rows. Idempotent: an
 * existing user (by external_id, then email) is updated or skipped, never
 * duplicated. A row that cannot be imported is reported through `onError`
 * and the rest go on. One `users.imported` audit event records the counts.
 */
export async function importUsers(deps: Deps, tenant: Tenant, records: AsyncIterable<ImportRecord>, options: ImportOptions = {}): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? 500;
  const summary: ImportSummary = { created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0, dry_run: options.dryRun === true };
  const fail = (e: ImportRowError) => {
    summary.failed += 1;
    options.onError?.(e);
  };
  const count = (row: Row, outcome: Outcome) => {
    if (typeof outcome === 'string') summary[outcome] += 1;
    else fail(outcome);
  };

  const flush = async (batch: Row[]) => {
    if (!batch.length) return;
    if (!options.dryRun) await pool(batch.filter((r) => r.input.password !== undefined), options.concurrency ?? 2, (r) => hashPassword(deps, tenant, r, options.onConflict));
    const now = deps.clock.now();
    if (options.dryRun) {
      (await writeBatch(deps.repo, tenant, batch, options, now)).forEach((o, i) => count(batch[i]!, o));
      return;
    }
    try {
      const outcomes = await deps.repo.transaction((s) => writeBatch(s, tenant, batch, options, now));
      batch.forEach((row, i) => count(row, outcomes[i]!));
    } catch (e) {
      if (!isAuthflowError(e)) throw e;
      // A unique index refused a row (another writer raced us): redo the batch one row a transaction, so only that row fails.
      for (const row of batch) {
        try {
          count(row, (await deps.repo.transaction((s) => writeBatch(s, tenant, [row], options, now)))[0]!);
        } catch (err) {
          if (!isAuthflowError(err)) throw err;
          fail({ line: row.line, error: err.message });
        }
      }
    }
  };

  try {
    let batch: Row[] = [];
    for await (const record of records) {
      const row = validate(tenant, record);
      if (!('input' in row)) {
        fail(row);
        continue;
      }
      batch.push(row);
      if (batch.length >= batchSize) {
        await flush(batch);
        batch = [];
      }
    }
    await flush(batch);
  } finally {
    // Recorded even when the run stopped half-way (unreadable input): what was written is on record.
    // A file refused before its first row (a bad CSV header) changed nothing and is not a run.
    if (!options.dryRun && summary.created + summary.updated + summary.unchanged + summary.skipped + summary.failed > 0) {
      const { dry_run: _, ...counts } = summary;
      await deps.repo.transaction((s) => recordAudit(s, { tenantId: tenant.id, at: deps.clock.now(), actor: options.actor ?? 'admin', action: 'users.imported', data: counts }));
    }
  }
  return summary;
}
