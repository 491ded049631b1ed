// The schemas the OpenAPI document is built from. Request bodies are the
// core's own input schemas (the ones the use-cases validate with); response
// bodies describe the core's wire views, checked against them by type below
// and against real responses by the API tests.
import { z } from 'zod';
import { SECURITY_EVENT_KINDS } from '../../core/security/security-event.ts';
import {
  API_SCOPES,
  MAX_PAGE,
  createApiKeySchema,
  createClientSchema,
  createTenantSchema,
  rotateKeySchema,
  rotateSecretSchema,
  updateClientSchema,
  updateTenantSchema,
  type ApiKeyView,
  type ClientView,
  type ConsentListView,
  type ConsentRevocationView,
  type AuditEventView,
  type AuditVerifyView,
  type SecurityEventView,
  type UnlockView,
  type KeyView,
  type TenantView,
} from '../../core/admin/index.ts';
import {
  createUserSchema,
  setPasswordSchema,
  updateUserSchema,
  type AccessRevocationView,
  type SessionListView,
  type UserDataExport,
  type UserView,
} from '../../core/admin/index.ts';
import type { MailSummaryView, MailView, Page } from '../../core/admin/index.ts';
import { clientFieldsSchema } from '../../core/clients/client-input.ts';
import { tenantSettingsSchema } from '../../core/tenants/settings.ts';
import { USAGE_BREAKDOWNS } from '../../core/admin/usage.ts';
import { SIGNING_ALGS } from '../../crypto/index.ts';

// ------------------------------------------------------------------ query

export const noQuery = z.strictObject({});

export const listQuery = z.strictObject({
  limit: z.coerce.number<string>().int().min(1).max(MAX_PAGE).optional().describe(`Items per page (default 50, at most ${MAX_PAGE}).`),
  cursor: z.string().min(1).max(512).optional().describe('The `next_cursor` of the previous page.'),
});

export const apiKeyListQuery = listQuery.extend({
  tenant: z.string().min(1).max(63).optional().describe('Only the keys of this tenant (slug or id). Instance admins see every key without it.'),
});

export const userListQuery = listQuery.extend({
  search: z.string().max(200).optional().describe('Only users whose email, name or external_id contains this (case-insensitive).'),
});

const seqParam = (what: string) => z.coerce.number<string>().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().describe(what);
export const auditListQuery = listQuery.extend({
  actor: z.string().min(1).max(200).optional().describe('Only events by this actor: `admin`, `api_key:<id>`, `user:<id>`, `system`.'),
  action: z.string().min(1).max(100).optional().describe('Only events of this action, e.g. `client.created`.'),
  target: z.string().min(1).max(200).optional().describe('Only events about this target, e.g. `user:<id>`.'),
  before: seqParam('Only events before this seq (newest first), like `cursor`.'),
  after: seqParam('Only events after this seq, oldest first (follow the log; export it). No `next_cursor`: continue with the last seq.'),
});

export const securityEventListQuery = listQuery.extend({
  user: z.string().min(1).max(320).optional().describe('Only events about this user (id or email).'),
  kind: z.enum(SECURITY_EVENT_KINDS).optional().describe('Only events of this kind.'),
  since: z.string().min(1).max(64).optional().describe('Only events at or after this time: ISO 8601, or a duration back from now such as `30m`, `24h`, `7d`.'),
});

export const mailListQuery = listQuery.extend({
  tenant: z.string().min(1).max(63).optional().describe('Only the mail of this tenant (slug or id). Instance admins see every tenant\'s mail without it; a tenant key sees its own.'),
  status: z.enum(['pending', 'sent', 'failed']).optional().describe('Only mail in this state.'),
  to: z.string().min(1).max(320).optional().describe('Only mail to this address (exact, case-insensitive).'),
});

export const usageRecordsQuery = z.strictObject({
  tenant: z.string().min(1).max(63).optional().describe('Only this tenant (slug or id); a tenant key sees its own only.'),
  month: z.string().max(7).optional().describe('The UTC month, YYYY-MM (default: this month; not in the future).'),
});
export const usageQuery = usageRecordsQuery.extend({
  by: z.enum(USAGE_BREAKDOWNS).optional().describe('Rows by day of the month (default), or the month\'s sign-ins by method, client, browser, os, device, or failures by reason.'),
});

/** Every query parameter the API knows, as handlers receive them. */
export type ApiQuery = Partial<z.output<typeof apiKeyListQuery>> & Partial<z.output<typeof userListQuery>> & Partial<z.output<typeof auditListQuery>> & Partial<z.output<typeof mailListQuery>> & Partial<z.output<typeof securityEventListQuery>> & Partial<z.output<typeof usageQuery>>;

/** Routes that take no input still refuse an unexpected body member. */
export const emptyBody = z.strictObject({});

// ------------------------------------------------------------------ responses

const timestamp = z.iso.datetime();

export const tenantViewSchema = z.strictObject({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  custom_domain: z.string().nullable(),
  issuer: z.url(),
  discovery_url: z.url(),
  settings: tenantSettingsSchema,
  created_at: timestamp,
  updated_at: timestamp,
});

export const clientViewSchema = z.strictObject({
  client_id: z.string(),
  tenant: z.string().describe('The slug of the tenant the client belongs to.'),
  ...clientFieldsSchema.shape,
  previous_secret_expires_at: timestamp.nullable().describe('Until when the secret replaced by the last rotation is still accepted.'),
  created_at: timestamp,
  updated_at: timestamp,
});

export const keyViewSchema = z.strictObject({
  kid: z.string(),
  alg: z.enum(SIGNING_ALGS),
  use: z.literal('sig'),
  status: z.enum(['next', 'active', 'retired', 'expired']),
  created_at: timestamp,
  activates_at: timestamp.nullable(),
  retires_at: timestamp.nullable(),
  expires_at: timestamp.nullable(),
});

export const apiKeyViewSchema = z.strictObject({
  id: z.uuid(),
  key_id: z.string(),
  name: z.string(),
  tenant: z.string().nullable().describe('Tenant slug; null for an instance-admin key.'),
  scopes: z.array(z.string()),
  expires_at: timestamp.nullable(),
  last_used_at: timestamp.nullable(),
  use_count: z.number().int().min(0),
  revoked_at: timestamp.nullable(),
  created_at: timestamp,
});

export const consentViewSchema = z.strictObject({
  client_id: z.string(),
  client_name: z.string().nullable().describe('The client\'s name; null when the client has since been deleted.'),
  scopes: z.array(z.string()).describe('The scopes the user consented to.'),
  created_at: timestamp,
  updated_at: timestamp,
});

export const consentListSchema = z.strictObject({
  tenant: z.string().describe('The slug of the user\'s tenant.'),
  user_id: z.uuid(),
  email: z.string(),
  items: z.array(consentViewSchema),
});

export const consentRevocationSchema = z.strictObject({
  tenant: z.string().describe('The slug of the user\'s tenant.'),
  user_id: z.uuid(),
  email: z.string(),
  revoked: z
    .array(
      consentViewSchema.extend({
        revoked_at: timestamp,
        refresh_tokens_revoked: z.number().int().min(0).describe('Live refresh tokens (one per token family) revoked with the consent.'),
      }),
    )
    .describe('The consents revoked: their refresh tokens, access tokens and pending authorization codes stop working at once.'),
});

export const userViewSchema = z.strictObject({
  id: z.uuid(),
  tenant: z.string().describe('The slug of the user\'s tenant.'),
  email: z.string(),
  email_verified: z.boolean(),
  name: z.string().nullable(),
  given_name: z.string().nullable(),
  family_name: z.string().nullable(),
  phone: z.string().nullable().describe('E.164.'),
  phone_verified: z.boolean(),
  locale: z.string().nullable().describe('BCP 47 language tag.'),
  picture: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()).describe('Custom attributes.'),
  external_id: z.string().nullable().describe('The id of this user in your own application.'),
  disabled: z.boolean().describe('A disabled user cannot sign in and their tokens are refused.'),
  created_at: timestamp,
  updated_at: timestamp,
  last_login_at: timestamp.nullable(),
});

export const sessionViewSchema = z.strictObject({
  id: z.string(),
  created_at: timestamp,
  last_seen_at: timestamp,
  auth_time: timestamp,
  amr: z.array(z.string()).describe('RFC 8176 authentication method references.'),
  acr: z.string().nullable(),
  user_agent: z.string().nullable(),
  ip: z.string().nullable(),
  idle_expires_at: timestamp,
  expires_at: timestamp,
});

export const sessionListSchema = z.strictObject({ tenant: z.string(), user_id: z.uuid(), items: z.array(sessionViewSchema).describe('Live sessions, newest first.') });

export const accessRevocationSchema = z.strictObject({
  tenant: z.string(),
  user_id: z.uuid(),
  sessions_ended: z.number().int().min(0),
  refresh_families_revoked: z.number().int().min(0).describe('Refresh-token families revoked (their access tokens are refused too).'),
});

export const userDataExportSchema = z.strictObject({
  format: z.literal('authflow.user-data/1'),
  exported_at: timestamp,
  tenant: z.string(),
  profile: userViewSchema.omit({ tenant: true }),
  credentials: z.array(z.strictObject({ id: z.string(), kind: z.string(), created_at: timestamp, last_used_at: timestamp.nullable() })).describe('Kinds and dates only: never secrets or hashes.'),
  sessions: z.array(sessionViewSchema),
  consents: z.array(consentViewSchema),
  devices: z.array(z.strictObject({ id: z.string(), user_agent: z.string().nullable(), ip: z.string().nullable(), first_seen_at: timestamp, last_seen_at: timestamp })),
  terms_acceptances: z.array(z.strictObject({ version: z.string(), accepted_at: timestamp })),
  emails: z
    .array(z.strictObject({ id: z.string(), to: z.string(), subject: z.string(), status: z.enum(['pending', 'sent', 'failed']), attempts: z.number().int().min(0), created_at: timestamp, sent_at: timestamp.nullable() }))
    .describe('Mail sent about the user, without bodies (they hold links).'),
  audit_events: z.array(
    z.strictObject({ seq: z.number().int(), at: timestamp, actor: z.string(), action: z.string(), target: z.string().nullable(), data: z.record(z.string(), z.unknown()), ip: z.string().nullable() }),
  ),
});

export const mailSummarySchema = z.strictObject({
  id: z.uuid(),
  tenant: z.string().nullable().describe('The slug of the tenant the mail belongs to; null: instance mail.'),
  to: z.string(),
  subject: z.string(),
  template: z.string().nullable().describe('verify_email, reset_password, magic_link, email_change, password_changed, new_device, …'),
  status: z.enum(['pending', 'sent', 'failed']).describe('pending: waiting or retrying (kept here when no SMTP is configured); sent: accepted by the SMTP server; failed: given up.'),
  attempts: z.number().int().min(0),
  last_error: z.string().nullable().describe('What the SMTP server or the network said on the last failed attempt.'),
  created_at: timestamp,
  next_attempt_at: timestamp.nullable(),
  sent_at: timestamp.nullable(),
});
export const mailViewSchema = mailSummarySchema.extend({
  text: z.string().describe('The text body: it may carry a live single-use link.'),
  html: z.string(),
});

const pageOf = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item), next_cursor: z.string().nullable() });

export const tenantPageSchema = pageOf(tenantViewSchema);
export const clientPageSchema = pageOf(clientViewSchema);
export const apiKeyPageSchema = pageOf(apiKeyViewSchema);
export const userPageSchema = pageOf(userViewSchema);
export const mailPageSchema = pageOf(mailSummarySchema);
export const keyListSchema = z.strictObject({ items: z.array(keyViewSchema) });
// Every create answers one flat shape: the resource's fields, and a one-time secret beside them.
export const clientWithSecretSchema = clientViewSchema.extend({
  client_secret: z.string().optional().describe('Shown once, for a client that authenticates with a secret: only its SHA-256 is stored.'),
});
export const clientWithNewSecretSchema = clientViewSchema.extend({ client_secret: z.string().describe('Shown once: only its SHA-256 is stored.') });
export const keyRotationSchema = z.strictObject({ key: keyViewSchema, retiring: keyViewSchema.nullable() });
export const apiKeyCreatedSchema = apiKeyViewSchema.extend({ token: z.string().describe('Shown once: only its SHA-256 is stored.') });
export const serverStatusSchema = z.strictObject({
  version: z.string(),
  commit: z.string(),
  time: timestamp.describe("The server's clock."),
  ready: z.boolean().describe('What /readyz says: the database answers and its migrations are current.'),
  checks: z.record(z.string(), z.strictObject({ ok: z.boolean(), detail: z.string().optional() })),
  public_url: z.string(),
});
export const deletedSchema = z.strictObject({ deleted: z.string() });
export const openApiDocumentSchema = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.record(z.string(), z.unknown()) });

/** RFC 9457 problem details, with authflow's stable `code` and, for invalid input, the `field`. */
export const problemSchema = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  code: z.string().optional(),
  field: z.string().optional().describe('The input that broke a rule (validation_failed).'),
});

export const auditEventViewSchema = z.strictObject({
  seq: z.number().int().min(1).describe('Position in the tenant\'s chain: 1, 2, 3… with no gap.'),
  id: z.uuid(),
  tenant_id: z.uuid(),
  at: timestamp,
  actor: z.string().describe('Who: `admin`, `api_key:<id>`, `user:<id>`, `system`. Never an email.'),
  action: z.string(),
  target: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
  prev_hash: z.string().describe('The hash of the event before (64 zeros for the first).'),
  hash: z.string().describe('SHA-256 over prev_hash and the event\'s canonical JSON.'),
});
export const securityEventViewSchema = z.strictObject({
  id: z.uuid(),
  tenant_id: z.uuid(),
  user_id: z.uuid().nullable().describe('The user it concerns; null for an API key\'s event.'),
  kind: z.enum(SECURITY_EVENT_KINDS),
  at: timestamp,
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).describe('Kind-specific facts (docs/security-events.md); never secrets or email addresses.'),
});
export const securityEventPageSchema = z.strictObject({ items: z.array(securityEventViewSchema), next_cursor: z.string().nullable() });
export const unlockSchema = z.strictObject({
  user_id: z.uuid(),
  counters_cleared: z.number().int().min(0).describe('Lockout counters forgotten (0: the account was not held back).'),
});
export const auditPageSchema = z.strictObject({ items: z.array(auditEventViewSchema), next_cursor: z.string().nullable() });
export const auditVerifySchema = z.strictObject({
  tenant: z.string(),
  intact: z.boolean(),
  events: z.number().int().min(0).describe('Events checked: all of them when intact, those before the break otherwise.'),
  head: z.string().nullable().describe('The hash of the last event when intact.'),
  broken_at: z.number().int().nullable().describe('The seq where the chain breaks.'),
  reason: z.string().nullable(),
});

export const usageViewSchema = z.strictObject({
  month: z.string(),
  tenant: z.string().nullable().describe('The tenant asked for, or null for the whole instance.'),
  mau: z.number().int().min(0).describe('Monthly active users: distinct users who signed in or refreshed a token this UTC month.'),
  tenants: z.array(z.strictObject({ tenant: z.string(), mau: z.number().int().min(0) })),
  by: z.enum(USAGE_BREAKDOWNS),
  rows: z.array(
    z.strictObject({
      key: z.string().describe('The day (by=day) or the dimension value.'),
      value: z.number().int().min(0).describe('by=day: users first active that day; otherwise the count.'),
      signins: z.number().int().min(0).optional(),
      failures: z.number().int().min(0).optional(),
      registrations: z.number().int().min(0).optional(),
    }),
  ),
});
export const usageRecordSchema = z.strictObject({
  tenant: z.string(),
  day: z.string().describe('YYYY-MM-DD; for metric `mau`, the month YYYY-MM.'),
  metric: z.string().describe('`mau`, `signin.method`, `signin.client`, `signin.browser`, `signin.os`, `signin.device`, `signin.failure`, `registration`, `api.requests`.'),
  dimension: z.string(),
  count: z.number().int().min(0),
});
export const usageRecordListSchema = z.strictObject({ items: z.array(usageRecordSchema) });

// ------------------------------------------------------------------ components

type Named = { id: string };

/** Request bodies, converted as input (defaults optional). */
export const requestComponents = z.registry<Named>()
  .add(createTenantSchema, { id: 'CreateTenantRequest' })
  .add(updateTenantSchema, { id: 'UpdateTenantRequest' })
  .add(createClientSchema, { id: 'CreateClientRequest' })
  .add(updateClientSchema, { id: 'UpdateClientRequest' })
  .add(rotateSecretSchema, { id: 'RotateSecretRequest' })
  .add(rotateKeySchema, { id: 'RotateKeyRequest' })
  .add(createApiKeySchema, { id: 'CreateApiKeyRequest' })
  .add(createUserSchema, { id: 'CreateUserRequest' })
  .add(updateUserSchema, { id: 'UpdateUserRequest' })
  .add(setPasswordSchema, { id: 'SetPasswordRequest' })
  .add(emptyBody, { id: 'EmptyRequest' });

/** Response bodies, converted as output. */
export const responseComponents = z.registry<Named>()
  .add(tenantSettingsSchema, { id: 'TenantSettings' })
  .add(tenantViewSchema, { id: 'Tenant' })
  .add(clientViewSchema, { id: 'Client' })
  .add(keyViewSchema, { id: 'SigningKey' })
  .add(apiKeyViewSchema, { id: 'ApiKey' })
  .add(tenantPageSchema, { id: 'TenantPage' })
  .add(clientPageSchema, { id: 'ClientPage' })
  .add(apiKeyPageSchema, { id: 'ApiKeyPage' })
  .add(keyListSchema, { id: 'SigningKeyList' })
  .add(clientWithSecretSchema, { id: 'ClientWithSecret' })
  .add(clientWithNewSecretSchema, { id: 'ClientWithNewSecret' })
  .add(keyRotationSchema, { id: 'KeyRotation' })
  .add(apiKeyCreatedSchema, { id: 'ApiKeyCreated' })
  .add(serverStatusSchema, { id: 'ServerStatus' })
  .add(consentViewSchema, { id: 'Consent' })
  .add(consentListSchema, { id: 'ConsentList' })
  .add(consentRevocationSchema, { id: 'ConsentRevocation' })
  .add(auditEventViewSchema, { id: 'AuditEvent' })
  .add(auditPageSchema, { id: 'AuditEventPage' })
  .add(auditVerifySchema, { id: 'AuditVerification' })
  .add(securityEventViewSchema, { id: 'SecurityEvent' })
  .add(securityEventPageSchema, { id: 'SecurityEventPage' })
  .add(unlockSchema, { id: 'Unlock' })
  .add(userViewSchema, { id: 'User' })
  .add(userPageSchema, { id: 'UserPage' })
  .add(sessionViewSchema, { id: 'Session' })
  .add(sessionListSchema, { id: 'SessionList' })
  .add(accessRevocationSchema, { id: 'AccessRevocation' })
  .add(userDataExportSchema, { id: 'UserDataExport' })
  .add(mailSummarySchema, { id: 'MailSummary' })
  .add(mailViewSchema, { id: 'Mail' })
  .add(usageViewSchema, { id: 'Usage' })
  .add(usageRecordListSchema, { id: 'UsageRecordList' })
  .add(mailPageSchema, { id: 'MailPage' })
  .add(deletedSchema, { id: 'Deleted' })
  .add(openApiDocumentSchema, { id: 'OpenApiDocument' })
  .add(problemSchema, { id: 'Problem' });

/** Scopes an API key may hold, for the security scheme's description. */
export const SCOPES: readonly string[] = API_SCOPES;

// ------------------------------------------------------------------ drift checks (compile time)

// Each schema's output must be a valid value of the core's view type: a field
// the view has and the schema lacks (or types differently) fails `tsc`.
type Fits<S extends z.ZodType, V> = z.output<S> extends V ? true : false;
const fits = <T extends true>(): T => true as T;
void fits<Fits<typeof tenantViewSchema, TenantView>>();
void fits<Fits<typeof clientViewSchema, ClientView>>();
void fits<Fits<typeof keyViewSchema, KeyView>>();
void fits<Fits<typeof apiKeyViewSchema, ApiKeyView>>();
void fits<Fits<typeof consentListSchema, ConsentListView>>();
void fits<Fits<typeof consentRevocationSchema, ConsentRevocationView>>();
void fits<Fits<typeof auditEventViewSchema, AuditEventView>>();
void fits<Fits<typeof auditVerifySchema, AuditVerifyView>>();
void fits<Fits<typeof securityEventPageSchema, Page<SecurityEventView>>>();
void fits<Fits<typeof unlockSchema, UnlockView>>();
void fits<Fits<typeof userViewSchema, UserView>>();
void fits<Fits<typeof sessionListSchema, SessionListView>>();
void fits<Fits<typeof accessRevocationSchema, AccessRevocationView>>();
void fits<Fits<typeof userDataExportSchema, UserDataExport>>();
void fits<Fits<typeof mailPageSchema, Page<MailSummaryView>>>();
void fits<Fits<typeof mailViewSchema, MailView>>();
