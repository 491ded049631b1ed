// The schemas the OpenAPI document is built from. Request bodies are the
// core's own input schemas (the ones the use-cases validate with); response
// bodies describe the core's wire views, checked against them by type below
// and against real responses by the API tests.
import { z } from 'zod';
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
  type KeyView,
  type TenantView,
} from '../../core/admin/index.ts';
import { clientFieldsSchema } from '../../core/clients/client-input.ts';
import { tenantSettingsSchema } from '../../core/tenants/settings.ts';
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

/** Every query parameter the API knows, as handlers receive them. */
export type ApiQuery = Partial<z.output<typeof apiKeyListQuery>>;

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

const pageOf = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item), next_cursor: z.string().nullable() });

export const tenantPageSchema = pageOf(tenantViewSchema);
export const clientPageSchema = pageOf(clientViewSchema);
export const apiKeyPageSchema = pageOf(apiKeyViewSchema);
export const keyListSchema = z.strictObject({ items: z.array(keyViewSchema) });
export const clientWithSecretSchema = z.strictObject({
  client: clientViewSchema,
  client_secret: z.string().optional().describe('Shown once: only its SHA-256 is stored.'),
});
export const clientWithNewSecretSchema = z.strictObject({ client: clientViewSchema, client_secret: z.string().describe('Shown once: only its SHA-256 is stored.') });
export const keyRotationSchema = z.strictObject({ key: keyViewSchema, retiring: keyViewSchema.nullable() });
export const apiKeyCreatedSchema = z.strictObject({ api_key: apiKeyViewSchema, token: z.string().describe('Shown once: only its SHA-256 is stored.') });
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
  .add(consentViewSchema, { id: 'Consent' })
  .add(consentListSchema, { id: 'ConsentList' })
  .add(consentRevocationSchema, { id: 'ConsentRevocation' })
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
