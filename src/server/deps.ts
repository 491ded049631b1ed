import type { Logger } from 'pino';
import type { Admin } from '../core/admin/index.ts';
import type { UsageRecorder } from '../core/apikeys/usage.ts';
import type { Clock } from '../core/clock.ts';
import type { Directory } from '../core/directory.ts';
import type { CorsOrigins } from '../core/clients/cors-origins.ts';
import type { ClientKeys } from '../core/oauth/client-auth/index.ts';
import type { Grant } from '../core/oauth/grant-types/grant-type.ts';
import type { TenantSigner } from '../core/oauth/tokens/signer.ts';
import type { RevocationStore, UsedJtiStore } from '../core/ports.ts';
import type { RefreshTokenPort } from '../core/oauth/tokens/refresh-token-family.ts';
import type { Tenant } from '../core/tenants/tenant.ts';
import type { BrowserFlows } from '../core/oauth/browser.ts';
import type { FlowDeps } from '../core/interaction/deps.ts';
import type { HttpMetrics } from './metrics.ts';
import type { TrustedProxies } from './client-ip.ts';
import type { FailureThrottle } from '../core/abuse/failure-throttle.ts';
import type { TenantQuotas } from '../core/abuse/tenant-quota.ts';
import type { ApiKeyAddressWatch } from '../core/security/api-key-addresses.ts';

export interface ReadyReport {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, { readonly ok: boolean; readonly detail?: string }>>;
}

/** What the HTTP layer needs from the composition root. */
export interface ServerDeps {
  readonly logger: Logger;
  /** The access log (`log.access`, `log.slow_ms`). */
  readonly log: { readonly access: 'all' | 'none' | 'errors'; readonly slowMs: number };
  readonly metrics: HttpMetrics;
  /** Whether GET /metrics answers on this (the main) listener: only when the operator said so (`metrics.listen: main`). */
  readonly metricsOnMain: boolean;
  /** Database reachable, migrations current, …; run on every /readyz. */
  readonly readiness: () => Promise<ReadyReport>;
  /** Set while the server drains on shutdown: /readyz then answers 503 so balancers move away. */
  readonly lifecycle: { draining: boolean };
  /** Whose forwarding headers name the client (src/server/client-ip.ts). */
  readonly trustedProxies: TrustedProxies;
  /** Failed client authentications and API keys, per client id / key and address (src/core/abuse/failure-throttle.ts). */
  readonly failures: FailureThrottle;
  /** API keys used from a new address become security events (src/core/security/api-key-addresses.ts). */
  readonly apiKeyAddresses: ApiKeyAddressWatch;
  /** Per-tenant request quotas (tenant setting `rate_limits`). */
  readonly quotas: TenantQuotas;
  readonly clock: Clock;
  /** Management use-cases (the management API calls these). */
  readonly admin: Admin;
  /** Cached tenants, clients, signing keys and API keys, emptied on any change. */
  readonly directory: Directory;
  /** Batched API-key usage counting. */
  readonly usage: UsageRecorder;
  readonly publicUrl: string;
  /** This build's version and commit, for GET /api/v1/server. */
  readonly build: { readonly version: string; readonly commit: string };
  /** The browser half: authorization endpoint, hosted sign-in pages, RP-initiated logout. */
  readonly browser: BrowserFlows;
  /** What the account pages (registration, verification, recovery, magic links, /account) pass to the core's use-cases. */
  readonly accounts: FlowDeps;
  /** Signs with and verifies against tenants' keys (cached; no database round trip in the steady state). */
  readonly signer: TenantSigner;
  /** The deny list of revoked access tokens (and families, grants, sessions). */
  readonly revocations: RevocationStore;
  /** Used client-assertion jtis (private_key_jwt replay protection). */
  readonly usedJtis: UsedJtiStore;
  /** The grants the token endpoint serves (src/core/oauth/grant-types/index.ts). */
  readonly grants: readonly Grant[];
  /** Client keys for private_key_jwt: registered jwks, or jwks_uri fetched and cached. */
  readonly clientKeys: ClientKeys;
  /** Browser origins a tenant's clients registered, for CORS on the token, introspection and revocation endpoints. */
  readonly corsOrigins: CorsOrigins;
  /** Refresh tokens for the introspection and revocation endpoints (RFC 7662, RFC 7009). */
  readonly refreshTokens: RefreshTokenPort;
  /** OIDC Core §5.3 UserInfo: the claims for a bearer access token of this tenant (throws InvalidToken / InsufficientScope). */
  readonly userInfo: (tenant: Tenant, issuer: string, accessToken: string) => Promise<{ claims: Record<string, unknown> }>;
}
