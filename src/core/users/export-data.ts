import type { AuditEvent } from '../audit/audit-event.ts';
import type { Clock } from '../clock.ts';
import { NotFound } from '../errors.ts';
import type { Repository, Stores } from '../ports.ts';
import type { Session } from '../sessions/session.ts';
import type { Tenant } from '../tenants/tenant.ts';

type Deps = { readonly repo: Repository; readonly clock: Clock };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const PAGE = 500;

/** A session as shown to admins and in an export: never its secret or its hash. */
export function sessionData(s: Session) {
  return {
    id: s.id,
    created_at: iso(s.createdAt)!,
    last_seen_at: iso(s.lastSeenAt)!,
    auth_time: iso(s.authTime)!,
    amr: [...s.amr],
    acr: s.acr,
    user_agent: s.userAgent,
    ip: s.ip,
    idle_expires_at: iso(s.idleExpiresAt)!,
    expires_at: iso(s.expiresAt)!,
  };
}
export type SessionData = ReturnType<typeof sessionData>;

/** Every audit event whose target or actor is the user, oldest first. */
async function auditOf(s: Stores, tenantId: string, ref: string): Promise<AuditEvent[]> {
  const seen = new Map<string, AuditEvent>();
  for (const key of ['target', 'actor'] as const) {
    let beforeSeq: number | undefined;
    for (;;) {
      const page = await s.audit.list(tenantId, { limit: PAGE, [key]: ref, beforeSeq });
      for (const e of page) seen.set(e.id, e);
      if (page.length < PAGE) break;
      beforeSeq = page.at(-1)!.seq;
    }
  }
  return [...seen.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * Everything authflow holds about a user (GDPR Art. 15 and 20), as one JSON
 * document: profile, credentials (kind and dates — never secrets or hashes),
 * live sessions, consents, devices, terms acceptances, mail sent to them
 * (subject, status, dates — not bodies: they hold links) and the audit
 * events about them.
 */
export async function exportUserData(deps: Deps, tenant: Tenant, userId: string) {
  const s = deps.repo;
  const u = await s.users.byId(tenant.id, userId);
  if (!u) throw new NotFound(`no user "${userId}" in tenant ${tenant.slug}`);
  const now = deps.clock.now();
  const [credentials, sessions, grants, devices, terms, audit] = await Promise.all([
    s.credentials.allOfUser(tenant.id, u.id),
    s.sessions.liveOfUser(tenant.id, u.id, now),
    s.grants.liveOfUser(tenant.id, u.id),
    s.devices.ofUser(tenant.id, u.id),
    s.terms.ofUser(tenant.id, u.id),
    auditOf(s, tenant.id, `user:${u.id}`),
  ]);
  const mail = [];
  for (let after: string | undefined; ; ) {
    const page = await s.outbox.list({ tenantId: tenant.id, userId: u.id, limit: PAGE, after });
    mail.push(...page);
    if (page.length < PAGE) break;
    after = page.at(-1)!.id;
  }
  const clientNames = new Map<string, string | null>();
  for (const g of grants) {
    const client = await s.clients.byClientId(g.clientId);
    clientNames.set(g.clientId, client?.tenantId === tenant.id ? client.name : null);
  }
  return {
    format: 'authflow.user-data/1' as const,
    exported_at: iso(now)!,
    tenant: tenant.slug,
    profile: {
      id: u.id,
      email: u.email,
      email_verified: u.emailVerified,
      phone: u.phone,
      phone_verified: u.phoneVerified,
      name: u.name,
      given_name: u.givenName,
      family_name: u.familyName,
      locale: u.locale,
      picture: u.picture,
      attributes: { ...u.attributes },
      external_id: u.externalId,
      disabled: u.disabled,
      created_at: iso(u.createdAt)!,
      updated_at: iso(u.updatedAt)!,
      last_login_at: iso(u.lastLoginAt),
    },
    credentials: credentials.map((c) => ({ id: c.id, kind: c.kind, created_at: iso(c.createdAt)!, last_used_at: iso(c.lastUsedAt) })),
    sessions: sessions.map(sessionData),
    consents: grants.map((g) => ({ client_id: g.clientId, client_name: clientNames.get(g.clientId) ?? null, scopes: [...g.scopes], created_at: iso(g.createdAt)!, updated_at: iso(g.updatedAt)! })),
    devices: devices.map((d) => ({ id: d.id, user_agent: d.userAgent, ip: d.ip, first_seen_at: iso(d.firstSeenAt)!, last_seen_at: iso(d.lastSeenAt)! })),
    terms_acceptances: terms.map((t) => ({ version: t.version, accepted_at: iso(t.acceptedAt)! })),
    emails: mail.map((m) => ({ id: m.id, to: m.recipient, subject: m.subject, status: m.status, attempts: m.attempts, created_at: iso(m.createdAt)!, sent_at: iso(m.sentAt) })),
    audit_events: audit.map((e) => ({ seq: e.seq, at: iso(e.at)!, actor: e.actor, action: e.action, target: e.target, data: { ...e.data }, ip: e.ip })),
  };
}
export type UserDataExport = Awaited<ReturnType<typeof exportUserData>>;
