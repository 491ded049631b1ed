import { MAX_ACCESS_TOKEN_TTL } from '../consents/revoke-grant.ts';
import { sha256, typedSecret, uuidv7 } from '../../crypto/index.ts';
import type { Clock } from '../clock.ts';
import type { Repository } from '../ports.ts';
import { settingsOf, type Tenant } from '../tenants/tenant.ts';
import { isLive, type Session } from './session.ts';

type Deps = { readonly repo: Pick<Repository, 'sessions'>; readonly clock: Clock };

/** Prefix of the SSO session cookie's secret (docs/security.md typed secrets). */
const KIND = 'ss';

/** How the user authenticated: what the session records (OIDC Core §2 auth_time, amr, acr). */
export interface Authentication {
  readonly userId: string;
  readonly amr: readonly string[];
  readonly acr: string | null;
  /** Milliseconds. */
  readonly at: number;
}

export interface Device {
  readonly userAgent: string | null;
  readonly ip: string | null;
}

/** A session and the cookie secret that names it (returned once, never stored). */
export interface StartedSession {
  readonly session: Session;
  readonly secret: string;
}

/** The live session a cookie secret names in this tenant, or undefined (unknown, ended, idle or past its absolute end). */
export async function resumeSession(deps: Deps, tenant: Tenant, secret: string | undefined): Promise<Session | undefined> {
  if (!secret || !secret.startsWith(`af_${KIND}_`) || secret.length > 100) return undefined;
  const session = await deps.repo.sessions.bySecretHash(tenant.id, sha256(secret));
  return session && isLive(session, deps.clock.now()) ? session : undefined;
}

/**
 * Records a successful authentication. The same user's live session is
 * renewed in place (new secret against fixation, new auth_time, same id so
 * tokens bound to it stay valid); another user's is ended first.
 */
export async function establishSession(deps: Deps, tenant: Tenant, auth: Authentication, device: Device, current: Session | undefined): Promise<StartedSession> {
  const settings = settingsOf(tenant);
  const now = deps.clock.now();
  const secret = typedSecret(KIND);
  const idle = (expiresAt: number) => Math.min(now + settings.session_idle_ttl * 1000, expiresAt);
  if (current && current.userId === auth.userId && isLive(current, now)) {
    const changes = { secretHash: sha256(secret), amr: auth.amr, acr: auth.acr, authTime: auth.at, lastSeenAt: now, idleExpiresAt: idle(current.expiresAt), ...device };
    if (await deps.repo.sessions.reauthenticate(tenant.id, current.id, changes)) return { session: { ...current, ...changes }, secret };
  } else if (current) {
    await endSession(deps, tenant, current);
  }
  const expiresAt = now + settings.session_absolute_ttl * 1000;
  const session: Session = {
    id: uuidv7(now),
    tenantId: tenant.id,
    userId: auth.userId,
    secretHash: sha256(secret),
    amr: auth.amr,
    acr: auth.acr,
    authTime: auth.at,
    userAgent: device.userAgent,
    ip: device.ip,
    createdAt: now,
    lastSeenAt: now,
    idleExpiresAt: idle(expiresAt),
    expiresAt,
    endedAt: null,
  };
  await deps.repo.sessions.insert(session);
  return { session, secret };
}

/** Slides the idle expiry on use; writes at most once a minute per session. */
export async function touchSession(deps: Deps, tenant: Tenant, session: Session): Promise<void> {
  const now = deps.clock.now();
  if (now - session.lastSeenAt < 60_000) return;
  await deps.repo.sessions.touch(tenant.id, session.id, now, Math.min(now + settingsOf(tenant).session_idle_ttl * 1000, session.expiresAt));
}

/**
 * Ends the session and records a `session` revocation of its id until its
 * absolute end, so tokens carrying this `sid` can be refused.
 */
export async function endSession(deps: Deps, tenant: Tenant, session: Session): Promise<boolean> {
  // Keep the revocation until no access token minted in the session can still be alive.
  const now = deps.clock.now();
  return deps.repo.sessions.end(tenant.id, session.id, now, Math.max(session.expiresAt, now) + MAX_ACCESS_TOKEN_TTL * 1000);
}
