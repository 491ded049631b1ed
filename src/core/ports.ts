import type { ApiKey } from './apikeys/api-key.ts';
import type { UserGrant } from './consents/user-grant.ts';
import type { Interaction } from './interaction/interaction.ts';
import type { AuthorizationCode } from './oauth/codes.ts';
import type { Session } from './sessions/session.ts';
import type { Credential, User } from './users/user.ts';
import type { UserToken, UserTokenKind } from './users/user-token.ts';
import type { TermsAcceptance, UserDevice } from './users/account-records.ts';
import type { OutboxItem, OutboxStatus } from './mail/outbox-item.ts';
import type { AuditEvent } from './audit/audit-event.ts';
import type { Client } from './clients/client.ts';
import type { SigningKey } from './keys/signing-key.ts';
import type { RefreshToken, RefreshTokenLookup } from './oauth/tokens/refresh-token.ts';
import type { Tenant } from './tenants/tenant.ts';
import type { SecurityEvent } from './security/security-event.ts';

/** One page of a list ordered by id (ids are time-ordered UUIDv7s): pass `after` = the last id seen. */
export interface PageQuery {
  readonly limit: number;
  readonly after?: string | undefined;
}

/**
 * The narrow storage interfaces the domain needs. `src/db/stores` implements
 * them for SQLite and Postgres; unique violations surface as `Conflict`.
 */
export interface TenantStore {
  insert(tenant: Tenant): Promise<void>;
  update(tenant: Tenant): Promise<void>;
  /** Deletes the tenant and, by cascade, everything it owns. */
  delete(id: string): Promise<boolean>;
  byId(id: string): Promise<Tenant | undefined>;
  bySlug(slug: string): Promise<Tenant | undefined>;
  byDomain(domain: string): Promise<Tenant | undefined>;
  list(page?: PageQuery): Promise<Tenant[]>;
  count(): Promise<number>;
}

export interface ClientStore {
  insert(client: Client): Promise<void>;
  update(client: Client): Promise<void>;
  delete(tenantId: string, clientId: string): Promise<boolean>;
  byClientId(clientId: string): Promise<Client | undefined>;
  listByTenant(tenantId: string, page?: PageQuery): Promise<Client[]>;
  /** The longest access-token lifetime any client of the tenant overrides to (seconds), or null. */
  maxAccessTokenTtl(tenantId: string): Promise<number | null>;
  /** Clients of every tenant (license limits). */
  countAll(): Promise<number>;
}

export interface SigningKeyStore {
  insert(key: SigningKey): Promise<void>;
  update(key: SigningKey): Promise<void>;
  listByTenant(tenantId: string): Promise<SigningKey[]>;
  /** Every key of every tenant, for re-encryption under a new master key. */
  listAll(): Promise<SigningKey[]>;
}

export interface ApiKeyStore {
  insert(key: ApiKey): Promise<void>;
  byKeyId(keyId: string): Promise<ApiKey | undefined>;
  byId(id: string): Promise<ApiKey | undefined>;
  /** tenantId undefined: every key; null: instance keys only. */
  list(tenantId: string | null | undefined, page?: PageQuery): Promise<ApiKey[]>;
  revoke(id: string, at: number): Promise<boolean>;
  /** Adds `count` uses and sets last-used time (batched by the caller). */
  recordUse(id: string, count: number, lastUsedAt: number): Promise<void>;
}

/** What `UserStore.list` filters by: a case-insensitive substring of email, name or external id. */
export interface UserQuery extends PageQuery {
  readonly search?: string | undefined;
}

export interface UserStore {
  /** Conflict when the tenant already has a user with that email (or external id). */
  insert(user: User): Promise<void>;
  /** Replaces the row (profile, flags, updated_at); Conflict on a taken email or external id. False when unknown. */
  update(user: User): Promise<boolean>;
  /** Deletes the user and, by cascade, credentials, sessions, grants, tokens, devices, acceptances and mail about them. */
  delete(tenantId: string, id: string): Promise<boolean>;
  byId(tenantId: string, id: string): Promise<User | undefined>;
  /** `email` already normalized. */
  byEmail(tenantId: string, email: string): Promise<User | undefined>;
  byExternalId(tenantId: string, externalId: string): Promise<User | undefined>;
  /** Bulk import: the users of the tenant having any of these (normalized) emails / external ids, one query each. */
  byEmails(tenantId: string, emails: readonly string[]): Promise<User[]>;
  byExternalIds(tenantId: string, externalIds: readonly string[]): Promise<User[]>;
  /** Bulk import: inserts all in one statement; Conflict (and none inserted) when any email or external id is taken. */
  insertMany(users: readonly User[]): Promise<void>;
  list(tenantId: string, page?: UserQuery): Promise<User[]>;
  recordLogin(tenantId: string, id: string, at: number): Promise<void>;
}

export interface CredentialStore {
  insert(credential: Credential): Promise<void>;
  /** Bulk import: inserts all in one statement. */
  insertMany(credentials: readonly Credential[]): Promise<void>;
  ofUser(tenantId: string, userId: string, kind: string): Promise<Credential[]>;
  /** Every credential of the user, any kind (export, account page). */
  allOfUser(tenantId: string, userId: string): Promise<Credential[]>;
  /** Replaces the secret (e.g. a password rehashed with current parameters). */
  updateSecret(tenantId: string, id: string, secret: string): Promise<void>;
  recordUse(tenantId: string, id: string, at: number): Promise<void>;
  /** Deletes the user's credentials of `kind`; returns how many. */
  deleteOfUser(tenantId: string, userId: string, kind: string): Promise<number>;
}

export interface SessionStore {
  insert(session: Session): Promise<void>;
  bySecretHash(tenantId: string, secretHash: string): Promise<Session | undefined>;
  byId(tenantId: string, id: string): Promise<Session | undefined>;
  /** After the same user authenticated again (prompt=login, max_age): new secret, auth time and methods; same id. */
  reauthenticate(tenantId: string, id: string, changes: Pick<Session, 'secretHash' | 'amr' | 'acr' | 'authTime' | 'lastSeenAt' | 'idleExpiresAt' | 'userAgent' | 'ip'>): Promise<boolean>;
  /** Slides the idle expiry (never past the absolute one). */
  touch(tenantId: string, id: string, lastSeenAt: number, idleExpiresAt: number): Promise<void>;
  /**
   * Ends the session at `at` and records a `session` revocation of its id
   * until `revokeUntil`, so tokens carrying that `sid` can be refused.
   * Returns false when it was already ended (or unknown).
   */
  end(tenantId: string, id: string, at: number, revokeUntil: number): Promise<boolean>;
  /** The user's sessions that are not ended and not expired at `now`, newest first. */
  liveOfUser(tenantId: string, userId: string, now: number): Promise<Session[]>;
  /**
   * Ends every live session of the user except `exceptId` (as `end` does,
   * each with a `session` revocation until `revokeUntil`); returns their ids.
   */
  endAllOfUser(tenantId: string, userId: string, at: number, revokeUntil: number, exceptId?: string): Promise<string[]>;
}

export interface InteractionStore {
  insert(interaction: Interaction): Promise<void>;
  byId(tenantId: string, id: string): Promise<Interaction | undefined>;
  /** Saves the step machine's progress. */
  update(interaction: Interaction): Promise<void>;
  /** Removes it; returns false when it was already gone (a finished or replayed interaction). */
  delete(tenantId: string, id: string): Promise<boolean>;
  deleteExpired(now: number): Promise<number>;
}

export interface UserGrantStore {
  byUserAndClient(tenantId: string, userId: string, clientId: string): Promise<UserGrant | undefined>;
  byId(tenantId: string, id: string): Promise<UserGrant | undefined>;
  /** The user's live (unrevoked) grants, oldest first. */
  liveOfUser(tenantId: string, userId: string): Promise<UserGrant[]>;
  /** Every live grant given to a client (when the client is deleted). */
  liveOfClient(tenantId: string, clientId: string): Promise<UserGrant[]>;
  /** Inserts the user × client grant, or replaces the row there (a revoked grant is replaced by a new id). */
  save(grant: UserGrant): Promise<void>;
  /** Sets revoked_at = `at` on a live grant; false when it was already revoked (or unknown). */
  revoke(tenantId: string, id: string, at: number): Promise<boolean>;
}

export interface AuthCodeStore {
  insert(code: AuthorizationCode): Promise<void>;
  /** Sets used_at = `at` if the code (of `tenantId`) is unused; returns the row as it was before, or undefined when unknown. */
  consume(tenantId: string, codeHash: string, at: number): Promise<AuthorizationCode | undefined>;
  /** Deletes codes that expired before `before` (housekeeping); returns how many. */
  deleteExpired(before: number): Promise<number>;
}

export interface Stores {
  readonly tenants: TenantStore;
  readonly clients: ClientStore;
  readonly signingKeys: SigningKeyStore;
  readonly apiKeys: ApiKeyStore;
  readonly users: UserStore;
  readonly credentials: CredentialStore;
  readonly sessions: SessionStore;
  readonly interactions: InteractionStore;
  readonly grants: UserGrantStore;
  readonly authCodes: AuthCodeStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly revocations: RevocationStore;
  readonly usedJtis: UsedJtiStore;
  readonly userTokens: UserTokenStore;
  readonly outbox: OutboxStore;
  readonly terms: TermsStore;
  readonly devices: DeviceStore;
  readonly audit: AuditStore;
  readonly rateLimits: RateLimitStore;
  readonly securityEvents: SecurityEventStore;
  readonly apiKeyAddresses: ApiKeyAddressStore;
  readonly licenses: LicenseStore;
  readonly instanceState: InstanceStateStore;
  readonly usage: UsageStore;
  readonly usageReports: UsageReportStore;
  readonly plans: PlanStore;
}

/** An operator-defined plan: entitlements and limits sold to tenants. */
export interface Plan {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly entitlements: readonly string[];
  readonly limits: Readonly<Record<string, number>>;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface PlanStore {
  /** Conflict when the name is taken. */
  insert(plan: Plan): Promise<void>;
  update(plan: Plan): Promise<void>;
  /** Conflict while a tenant is on the plan. */
  delete(id: string): Promise<boolean>;
  byName(name: string): Promise<Plan | undefined>;
  list(): Promise<Plan[]>;
}

export interface UsageReportRecord {
  readonly seq: number;
  readonly month: string;
  readonly hash: string;
  readonly document: string;
  readonly createdAt: number;
}

/** The chain of signed usage reports this instance produced. */
export interface UsageReportStore {
  /** Conflict when `seq` is taken (two reports made at the same moment). */
  insert(record: UsageReportRecord): Promise<void>;
  last(): Promise<UsageReportRecord | undefined>;
}

/** An installed license: `slot` is `instance` or a tenant id. */
export interface LicenseRecord {
  readonly slot: string;
  readonly tenantId: string | null;
  readonly token: string | null;
  readonly planId: string | null;
  readonly installedAt: number;
}

/** Installed licenses; a change fires the change feed so every server reloads them. */
export interface LicenseStore {
  all(): Promise<LicenseRecord[]>;
  get(slot: string): Promise<LicenseRecord | undefined>;
  put(record: LicenseRecord): Promise<void>;
  remove(slot: string): Promise<boolean>;
}

/** Small instance-wide facts by key (instance id, report key, license watermarks). */
export interface InstanceStateStore {
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown, now: number): Promise<void>;
  /** Stores `value` unless the key exists; returns what is stored afterwards (so concurrent first writers agree). */
  putIfAbsent(key: string, value: unknown, now: number): Promise<unknown>;
}

export interface UsageCount {
  readonly day: string;
  readonly metric: string;
  readonly dimension: string;
  readonly count: number;
}

/** Monthly active users and daily counters. */
export interface UsageStore {
  /** Records that the user was active in the month (YYYY-MM): one insert-or-ignore; true when it was the first time. */
  markActive(tenantId: string, month: string, userId: string, at: number): Promise<boolean>;
  isActive(tenantId: string, month: string, userId: string): Promise<boolean>;
  /** Distinct active users per tenant in the month (tenants with none are absent). */
  activeByTenant(month: string): Promise<Array<{ tenantId: string; count: number }>>;
  /** Adds counts to daily counters (upserts). */
  increment(tenantId: string, day: string, counts: ReadonlyArray<{ metric: string; dimension: string; by: number }>): Promise<void>;
  /** Daily counters of a tenant (or every tenant when undefined) from `fromDay` to `toDay` inclusive (YYYY-MM-DD). */
  daily(tenantId: string | undefined, fromDay: string, toDay: string): Promise<Array<UsageCount & { tenantId: string }>>;
  /** Active users per day of the month, by the day each was first counted. */
  firstActiveByDay(tenantId: string | undefined, month: string): Promise<Array<{ tenantId: string; day: string; count: number }>>;
}

/** Refresh tokens (RFC 6749 §6), rotated on every use; see src/core/oauth/tokens/refresh-token-family.ts. */
export interface RefreshTokenStore {
  insert(token: RefreshToken): Promise<void>;
  /** The token with the given hash in the tenant, its user and whether its grant is still active (one indexed read). */
  lookup(tenantId: string, tokenHash: string): Promise<RefreshTokenLookup | undefined>;
  /**
   * Marks `usedId` used and inserts its successor, atomically; false (and
   * nothing written) when `usedId` was already used or revoked meanwhile.
   */
  rotate(usedId: string, at: number, successor: RefreshToken): Promise<boolean>;
  /** Marks every token of the family revoked (the caller also records a `family` revocation for its access tokens). */
  revokeFamily(tenantId: string, familyId: string, at: number): Promise<void>;
  /**
   * Marks every token of every family of the grant revoked (the caller also
   * records a `grant` revocation); returns how many families still had a live token.
   */
  revokeGrant(tenantId: string, grantId: string, at: number): Promise<number>;
  /** Marks every live token of the user revoked (password reset, account deletion); returns the family ids that had one. */
  revokeAllOfUser(tenantId: string, userId: string, at: number): Promise<string[]>;
}

/** Stores plus a unit of work: everything inside `transaction` commits or nothing does. */
export interface Repository extends Stores {
  /** `durable`: the commit must survive power loss (key material); slower on SQLite. */
  transaction<T>(fn: (stores: Stores) => Promise<T>, options?: { durable?: boolean }): Promise<T>;
}

/**
 * Tells this process that stored configuration changed — here or in another
 * process sharing the database — so caches can drop what they hold.
 */
export interface ChangeFeed {
  subscribe(listener: () => void): () => void;
}

/** What a revocation names: one access token (`jti`), a refresh-token family, a grant, or a session. */
export type RevocationKind = 'jti' | 'family' | 'grant' | 'session';

/** The identifiers a token carries that a revocation may name (absent ones are skipped). */
export interface RevocationTargets {
  readonly jti?: string | undefined;
  readonly family?: string | undefined;
  readonly grant?: string | undefined;
  readonly session?: string | undefined;
}

/**
 * The deny list for self-contained tokens (RFC 7009 §2 for JWT access
 * tokens): an entry lives until the last token it can match has expired, and
 * is then deleted by a later write (bounded per write).
 */
export interface RevocationStore {
  /** Records that tokens carrying `kind`=`value` are revoked until `expiresAt` (ms); idempotent, keeps the later expiry. */
  revoke(tenantId: string, kind: RevocationKind, value: string, expiresAt: number, now: number): Promise<void>;
  /** Whether any of `targets` is revoked (and the entry unexpired) in the tenant: one indexed query. */
  anyRevoked(tenantId: string, targets: RevocationTargets, now: number): Promise<boolean>;
}

/** Single-use identifiers of client assertions (RFC 7523 §3 item 7), kept until the assertion expires. */
export interface UsedJtiStore {
  /** Records `key` until `expiresAt` (ms). False when it is already recorded and unexpired: a replay. */
  use(key: string, expiresAt: number, now: number): Promise<boolean>;
}

/** Single-use mailed links and codes (verification, reset, magic link, email change). */
export interface UserTokenStore {
  insert(token: UserToken): Promise<void>;
  /** The token with that hash in the tenant (used or not, expired or not: the caller tells them apart). */
  byHash(tenantId: string, tokenHash: string): Promise<UserToken | undefined>;
  byId(tenantId: string, id: string): Promise<UserToken | undefined>;
  /** Sets used_at if still unused; false when it was used meanwhile (a second click, a race). */
  consume(tenantId: string, id: string, at: number): Promise<boolean>;
  /** Counts a wrong code; returns the attempts so far. */
  recordAttempt(tenantId: string, id: string): Promise<number>;
  /** Marks every unused token of the user of these kinds used (a newer link, a password change). */
  invalidate(tenantId: string, userId: string, kinds: readonly UserTokenKind[], at: number): Promise<number>;
  deleteExpired(now: number): Promise<number>;
}

/** What `OutboxStore.list` filters by. */
export interface OutboxQuery extends PageQuery {
  /** undefined: every tenant (instance admin); null: instance mail only. */
  readonly tenantId?: string | null | undefined;
  readonly status?: OutboxStatus | undefined;
  readonly recipient?: string | undefined;
  /** Only mail about this user (data export). */
  readonly userId?: string | undefined;
}

/** The durable outbox; senders claim due items so two servers never send one twice at once. */
export interface OutboxStore {
  enqueue(item: OutboxItem): Promise<void>;
  byId(id: string): Promise<OutboxItem | undefined>;
  /** Newest first. */
  list(query: OutboxQuery): Promise<OutboxItem[]>;
  /**
   * Claims up to `limit` pending items due at `now` that nobody holds (or
   * whose claim lapsed) until `now + leaseMs` (Postgres: FOR UPDATE SKIP LOCKED).
   */
  claim(now: number, limit: number, leaseMs: number): Promise<OutboxItem[]>;
  markSent(id: string, at: number): Promise<void>;
  /** Records a failed attempt: retried at `nextAttemptAt`, or `failed` for good when it is null. */
  markFailed(id: string, error: string, nextAttemptAt: number | null): Promise<void>;
  /** The earliest next_attempt_at of a pending item, if any (so the sender can sleep until then). */
  nextDue(): Promise<number | undefined>;
  /** Deletes `sent` items sent before `at` (housekeeping); returns how many. */
  deleteSentBefore(at: number): Promise<number>;
}

export interface TermsStore {
  /** Records the acceptance (idempotent: the first time stays). */
  accept(acceptance: TermsAcceptance): Promise<void>;
  ofUser(tenantId: string, userId: string): Promise<TermsAcceptance[]>;
  /** Whether the user accepted `version`. */
  accepted(tenantId: string, userId: string, version: string): Promise<boolean>;
}

export interface DeviceStore {
  /** Records a sign-in from the device; `isNew` when the user had never signed in from it. */
  seen(device: UserDevice): Promise<{ readonly isNew: boolean }>;
  ofUser(tenantId: string, userId: string): Promise<UserDevice[]>;
  /** Whether the user signed in from the device with this hash before. */
  known(tenantId: string, userId: string, deviceHash: string): Promise<boolean>;
}

/** What `AuditStore.list` filters by (newest first unless `afterSeq` is given). */
export interface AuditQuery {
  readonly limit: number;
  readonly target?: string | undefined;
  readonly actor?: string | undefined;
  readonly action?: string | undefined;
  /** Ascending from just after this seq (tail, verify, export). */
  readonly afterSeq?: number | undefined;
  /** Descending from just before this seq (pages of `list`). */
  readonly beforeSeq?: number | undefined;
}

export interface AuditStore {
  /**
   * The chain head of the tenant, locking the chain until the enclosing
   * transaction ends (Postgres: an advisory lock; SQLite's writer is already
   * exclusive). Only inside `repo.transaction`.
   */
  head(tenantId: string): Promise<{ readonly seq: number; readonly hash: string } | undefined>;
  insert(event: AuditEvent): Promise<void>;
  list(tenantId: string, query: AuditQuery): Promise<AuditEvent[]>;
}

/**
 * How a lockout counter grows (src/core/abuse/lockout.ts): the attempt
 * numbered `n` (1-based, within the window) makes the next one wait nothing
 * while n < free, then waits[n - free] ms (the last entry repeats).
 */
export interface AttemptPolicy {
  readonly free: number;
  readonly waits: readonly number[];
  /** A counter with no attempt for this long starts again from zero. */
  readonly windowMs: number;
}

/** Counters shared by every server on the database (docs/abuse.md); each change is one atomic statement. */
export interface RateLimitStore {
  /** Counts one hit on `key` in the window; returns the count so far and when the window ends. */
  hit(key: string, windowMs: number, now: number): Promise<{ readonly count: number; readonly resetAt: number }>;
  /** `hit` on several keys sharing a window, in one statement; results in the order of `keys`. */
  hitMany(keys: readonly string[], windowMs: number, now: number): Promise<readonly { readonly count: number; readonly resetAt: number }[]>;
  /**
   * Claims one attempt on a lockout counter, atomically: refused (nothing
   * counted) while an earlier attempt's wait is running; otherwise counted,
   * with the wait it imposes on the next attempt.
   */
  attempt(key: string, policy: AttemptPolicy, now: number): Promise<{ readonly allowed: boolean; readonly count: number; readonly blockedUntil: number }>;
  /** The current count (0 when none or the window ended) and, for lockout counters, the running wait. */
  peek(key: string, now: number): Promise<{ readonly count: number; readonly resetAt: number; readonly blockedUntil: number }>;
  /** `peek` for several keys in one query, in the order of `keys`. */
  peekMany(keys: readonly string[], now: number): Promise<readonly { readonly count: number; readonly resetAt: number }[]>;
  /** Forgets the key (a successful sign-in clears its failure counter). */
  reset(key: string): Promise<void>;
  resetMany(keys: readonly string[]): Promise<void>;
  /** Forgets every key starting with `prefix` (an admin unlocking an account); returns how many. */
  resetPrefix(prefix: string): Promise<number>;
  deleteExpired(now: number): Promise<number>;
}

/** What `SecurityEventStore.list` filters by (newest first; `before`: the last id of the previous page). */
export interface SecurityEventQuery {
  readonly limit: number;
  readonly userId?: string | undefined;
  readonly kind?: string | undefined;
  /** Only events at or after this time (ms). */
  readonly since?: number | undefined;
  readonly before?: string | undefined;
}

export interface SecurityEventStore {
  insert(event: SecurityEvent): Promise<void>;
  list(tenantId: string, query: SecurityEventQuery): Promise<SecurityEvent[]>;
}

/** The addresses API keys were used from. */
export interface ApiKeyAddressStore {
  /** Records a use of the key from `ip`; `isNew` when the key had never been used from it, `first` when it had never been used at all. */
  seen(apiKeyId: string, ip: string, now: number): Promise<{ readonly isNew: boolean; readonly first: boolean }>;
}
