import type { H3 } from 'h3';
import { createUsageRecorder, type UsageRecorder } from '../core/apikeys/usage.ts';
import { createDirectory, type Directory } from '../core/directory.ts';
import { createCorsOrigins } from '../core/clients/cors-origins.ts';
import { createClientKeys } from '../core/oauth/client-auth/index.ts';
import { createGrants } from '../core/oauth/grant-types/index.ts';
import { createBrowserFlows } from '../core/oauth/browser.ts';
import { createSigner } from '../core/oauth/tokens/signer.ts';
import { createRefreshTokenPort } from '../core/oauth/tokens/refresh-token-family.ts';
import { userInfo } from '../core/oauth/userinfo.ts';
import { createHttpMetrics, createServer, listen, listenMetrics, trustedProxies, type HttpMetrics, type Listening, type ReadyReport } from '../server/index.ts';
import { createFailureThrottle } from '../core/abuse/failure-throttle.ts';
import { createTenantQuotas } from '../core/abuse/tenant-quota.ts';
import { createApiKeyAddressWatch } from '../core/security/api-key-addresses.ts';
import type { FlowDeps } from '../core/interaction/deps.ts';
import { startHousekeeping } from '../core/housekeeping.ts';
import type { Authflow } from './open.ts';
import { startMailDelivery } from './mail.ts';
import { BUILD } from './build.ts';
import { isServeWorker } from './cluster.ts';
import { joinPrimary } from './cluster-worker.ts';
import { startLicenseMonitor, type LicenseMonitor } from './license-monitor.ts';
import { createActivityMeter } from '../core/usage/activity.ts';
import { createAnalytics, type Analytics } from '../core/usage/analytics.ts';

export interface Serving {
  readonly url: string;
  readonly port: number;
  /** Where GET /metrics answers on a listener of its own (`metrics.listen`), if anywhere. */
  readonly metricsUrl: string | undefined;
  /** `single`: one process serves; `primary`: it runs the workers (src/app/cluster.ts); `worker`: one of them. */
  readonly role: 'single' | 'primary' | 'worker';
  /** Drains in-flight requests, then closes the listener and the database. */
  stop(): Promise<void>;
}

export interface HttpApp {
  readonly app: H3;
  readonly directory: Directory;
  readonly usage: UsageRecorder;
  readonly metrics: HttpMetrics;
  /** Daily sign-in counters, flushed every few seconds and at close. */
  readonly analytics: Analytics;
  /** The license in force and monthly active users, in memory. */
  readonly licenses: LicenseMonitor;
  /** Flushes batched writes and stops cache invalidation. */
  close(): Promise<void>;
}

/** Builds the HTTP application for an opened Authflow (no listening: tests call `app.fetch`). */
export function createHttpApp(af: Authflow, lifecycle = { draining: false }, metrics: HttpMetrics = createHttpMetrics()): HttpApp {
  const directory = createDirectory(af.repo, af.database.changes);
  const usage = createUsageRecorder(af.repo.apiKeys, af.clock);
  // One signer per app: it caches imported keys per kid; which key signs is decided per call.
  const signer = createSigner({ directory, keyRing: af.keyRing, clock: af.clock });
  const corsOrigins = createCorsOrigins(af.repo.clients, af.database.changes);
  const signals = metrics.security;
  const licenses = startLicenseMonitor(af);
  const activity = createActivityMeter({ usage: af.repo.usage, clock: af.clock, gate: licenses.gate, onNew: licenses.counted });
  const analytics = createAnalytics(af.repo.usage, af.clock);
  metrics.useUsageGauges(licenses);
  const flows: FlowDeps = { repo: af.repo, clock: af.clock, passwords: af.passwords, signer, client: (id) => directory.client(id), mail: af.mail, signals, activity, analytics };
  const app = createServer({
    logger: af.logger,
    log: af.config.log,
    metrics,
    metricsOnMain: af.config.metricsListen === 'main',
    readiness: () => readiness(af),
    lifecycle,
    trustedProxies: trustedProxies(af.config.trustedProxies),
    clock: af.clock,
    admin: af.admin,
    directory,
    usage,
    publicUrl: af.config.publicUrl,
    build: { version: BUILD.version, commit: BUILD.commit },
    signer,
    revocations: af.repo.revocations,
    usedJtis: af.repo.usedJtis,
    failures: createFailureThrottle({ rateLimits: af.repo.rateLimits, clock: af.clock, signals }),
    apiKeyAddresses: createApiKeyAddressWatch({ repo: af.repo, clock: af.clock, mail: af.mail, signals }),
    quotas: createTenantQuotas({ clock: af.clock, signals }),
    grants: createGrants({ signer, clock: af.clock, repo: af.repo, mail: af.mail, signals, activity }),
    clientKeys: createClientKeys({ clock: af.clock }),
    corsOrigins,
    browser: createBrowserFlows(flows),
    accounts: flows,
    refreshTokens: createRefreshTokenPort({ repo: af.repo, clock: af.clock }),
    userInfo: (tenant, issuer, token) => userInfo({ repo: af.repo, signer, revocations: af.repo.revocations, clock: af.clock }, tenant, issuer, token),
  });
  return {
    app,
    directory,
    usage,
    metrics,
    licenses,
    analytics,
    async close() {
      await licenses.close();
      await analytics.stop();
      directory.close();
      corsOrigins.close();
      await usage.stop();
    },
  };
}

/** The h3 app alone (for tests that need nothing else). */
export function buildHttpApp(af: Authflow, lifecycle = { draining: false }): H3 {
  return createHttpApp(af, lifecycle).app;
}

async function readiness(af: Authflow): Promise<ReadyReport> {
  try {
    await af.database.ping();
  } catch (e) {
    // /readyz is unauthenticated: the wire says only that it failed; the log says where.
    af.logger.warn({ err: { message: (e as Error).message } }, 'readiness: database unreachable');
    return { ready: false, checks: { database: { ok: false, detail: 'unreachable' } } };
  }
  const m = await af.database.migrationStatus();
  const current = m.pending.length === 0 && m.unknown.length === 0;
  const detail = m.pending.length ? `${m.pending.length} pending` : m.unknown.length ? `database is newer than this build (${m.unknown.join(', ')})` : undefined;
  return { ready: current, checks: { database: { ok: true }, migrations: { ok: current, ...(detail ? { detail } : {}) } } };
}

/**
 * `authflow serve` on the configured host and port, in this process: the one
 * server when `workers` is 1, or one of the workers of a `startPrimary`
 * (src/app/cluster.ts) that forked this process.
 */
export async function startServing(af: Authflow): Promise<Serving> {
  return startServer(af, {}, isServeWorker() ? 'worker' : 'single');
}

/**
 * Listens on the configured host and port in this process; resolves once the
 * socket is bound. A `worker` leaves the background jobs to its primary and
 * answers /metrics for the whole cluster.
 */
export async function startServer(af: Authflow, overrides: { host?: string; port?: number } = {}, role: 'single' | 'worker' = 'single'): Promise<Serving> {
  const lifecycle = { draining: false };
  const metrics = createHttpMetrics();
  if (role === 'worker') metrics.expose(joinPrimary(af, metrics).exposition);
  const http = createHttpApp(af, lifecycle, metrics);
  const listening: Listening = await listen(http.app, overrides.host ?? af.config.host, overrides.port ?? af.config.port);
  const m = af.config.metricsListen;
  let metricsListening;
  try {
    metricsListening = m && m !== 'main' ? await listenMetrics(http.metrics, m.host, m.port) : undefined;
  } catch (e) {
    await listening.close(0);
    throw e;
  }
  // Mail goes out in the background, after the server listens; a request only writes the outbox row.
  const mail = role === 'single' ? startMailDelivery(af) : undefined;
  // Deletes expired rows in the background (every 10 minutes with jitter; never on a request's path).
  const housekeeping = role === 'single' ? startHousekeeping({ stores: af.repo, clock: af.clock, log: af.logger }) : undefined;
  let stopping: Promise<void> | undefined;
  return {
    url: listening.url,
    port: listening.port,
    metricsUrl: metricsListening?.url,
    role,
    stop() {
      stopping ??= (async () => {
        lifecycle.draining = true;
        await listening.close(af.config.shutdownTimeoutMs);
        await metricsListening?.close();
        await housekeeping?.stop();
        await http.close();
        await mail?.stop();
        await af.close();
        af.logger.flush?.();
      })();
      return stopping;
    },
  };
}
