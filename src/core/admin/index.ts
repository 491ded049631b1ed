import type { PasswordHasher } from '../../crypto/index.ts';
import type { MailDeps } from '../mail/mail.ts';
import { apiKeyAdmin } from './api-keys.ts';
import { auditAdmin } from './audit.ts';
import { clientAdmin } from './clients.ts';
import { consentAdmin } from './consents.ts';
import type { AdminDeps } from './deps.ts';
import { keyAdmin } from './keys.ts';
import { mailAdmin } from './mail.ts';
import { securityAdmin } from './security.ts';
import { tenantAdmin } from './tenants.ts';
import { userAdmin } from './users.ts';
import { usageAdmin } from './usage.ts';

/** The management use-cases behind both the CLI and the management API. */
/** `mail`: notices to users (a password set by an admin), queued in the outbox and sent by `serve`. */
export function createAdmin(deps: AdminDeps & { readonly passwords: PasswordHasher; readonly mail: MailDeps }) {
  return { tenants: tenantAdmin(deps), clients: clientAdmin(deps), keys: keyAdmin(deps), apiKeys: apiKeyAdmin(deps), users: userAdmin(deps), consents: consentAdmin(deps), audit: auditAdmin(deps), mail: mailAdmin(deps), security: securityAdmin(deps), usage: usageAdmin(deps) };
}
export type Admin = ReturnType<typeof createAdmin>;

export type { AdminDeps, ListQuery } from './deps.ts';
export { DEFAULT_PAGE, MAX_PAGE } from './deps.ts';
export { USAGE_BREAKDOWNS, type UsageView, type UsageRecordView, type UsageQuery, type UsageBreakdown } from './usage.ts';
export { LOCAL_ADMIN, API_SCOPES, hasScope, type Principal, type ApiScope } from './principal.ts';
export { etagOf, type TenantView, type ClientView, type KeyView, type ApiKeyView, type UserView, type Page, type ConsentView, type ConsentListView, type ConsentRevocationView, type SessionListView, type AccessRevocationView } from './views.ts';
export { createTenantSchema, updateTenantSchema } from './tenants.ts';
export { rotateSecretSchema } from './clients.ts';
export { rotateKeySchema } from './keys.ts';
export { createApiKeySchema } from './api-keys.ts';
export { createUserSchema, updateUserSchema, setPasswordSchema, type UserListQuery } from './users.ts';
export type { UserDataExport, SessionData } from '../users/export-data.ts';
export { actorOf, recordAdminAudit, auditEventView, type AuditEventView, type AuditVerifyView, type AuditListQuery } from './audit.ts';
export { createClientSchema, updateClientSchema } from '../clients/client-input.ts';
export { securityEventView, parseSince, type SecurityEventView, type SecurityEventListQuery, type UnlockView } from './security.ts';
export { mailView, mailSummaryView, OUTBOX_STATUSES, type MailView, type MailSummaryView, type MailListQuery } from './mail.ts';
