// Shared by the user-flow suites (oidc-code-flow, oidc-refresh, oidc-userinfo):
// a fresh install served over real node:http at its own public URL, a clock
// the test moves, and `openid-client` v6 as the relying party. Codes are
// issued with the authorization endpoint's own `issueAuthorizationCode` for
// a user, grant and session the test creates in the real stores.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import * as oidc from 'openid-client';
import { createLogger, initialize, openAuthflow, startServer, type Authflow, type Serving } from '../../src/app/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { issueAuthorizationCode } from '../../src/core/oauth/codes.ts';
import type { Tenant } from '../../src/core/tenants/tenant.ts';
import type { User } from '../../src/core/users/user.ts';
import { sha256, typedSecret, uuidv7 } from '../../src/crypto/index.ts';
import { TEST_ENV } from '../helpers/cli.ts';
import { createPgDatabase, tempDir } from '../helpers/db.ts';
import { LogSink } from '../helpers/server.ts';

export { DATABASES } from '../helpers/server.ts';

/** A clock the test moves (code, token and key lifetimes); it follows real time otherwise. */
export class TestClock {
  #offset = 0;
  now(): number {
    return Date.now() + this.#offset;
  }
  advance(ms: number): void {
    this.#offset += ms;
  }
}

const REDIRECT = 'https://rp.example.com/callback';

export interface RpClient {
  readonly clientId: string;
  readonly secret: string | undefined;
  readonly redirectUri: string;
  /** openid-client's view of this client at its tenant. */
  readonly config: oidc.Configuration;
}

export interface IssuedCode {
  readonly code: string;
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  readonly sessionId: string;
  readonly grantId: string;
  /** The URL the browser comes back to (code, state, iss: RFC 9207). */
  readonly callback: URL;
  readonly checks: { pkceCodeVerifier: string; expectedState: string; expectedNonce?: string };
}

export interface FlowHarness {
  readonly af: Authflow;
  readonly clock: TestClock;
  readonly url: string;
  readonly issuer: string;
  readonly tenant: Tenant;
  readonly logs: LogSink;
  /** A client of tenant `slug` (default `main`), created through the admin use-case, and openid-client configured for it. */
  client(options?: Record<string, unknown> & { slug?: string }): Promise<RpClient>;
  tenantBySlug(slug: string): Promise<Tenant>;
  user(fields?: Partial<User>): Promise<User>;
  /**
   * What /authorize hands the RP after sign-in and consent: a code for `user`
   * and `rp`, with PKCE S256 (unless `pkce: false`), state and nonce, a grant
   * and a live session (its id becomes the tokens' `sid`).
   */
  authorize(rp: RpClient, user: User, options?: { scope?: string; pkce?: boolean; claims?: Record<string, unknown>; nonce?: string | null; tenant?: Tenant }): Promise<IssuedCode>;
  /** Disables the user (there is no user-update use-case yet: straight through the database). */
  disableUser(user: User): Promise<void>;
  /** Raw HTTP to the server, for requests openid-client would never make. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startFlows(database: 'sqlite' | 'postgres' = 'sqlite', options: { settings?: Record<string, unknown> } = {}): Promise<FlowHarness> {
  const tmp = tempDir('authflow-flow-');
  const pgDb = database === 'postgres' ? await createPgDatabase() : undefined;
  const dataDir = join(tmp.path, 'data');
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const clock = new TestClock();
  const logs = new LogSink();
  let af: Authflow | undefined;
  let serving: Serving | undefined;
  try {
    await initialize({ dataDir, publicUrl, tenantSlug: 'main', databaseUrl: pgDb?.url });
    const config = loadConfig({ dataDir, env: { ...TEST_ENV }, flags: { ...(pgDb ? { database_url: pgDb.url } : {}), metrics: { listen: 'main' } } });
    af = await openAuthflow(config, { clock, logger: createLogger(config, logs), create: true });
    if (options.settings) await af.admin.tenants.update(LOCAL_ADMIN, 'main', { settings: options.settings });
    serving = await startServer(af, { host: '127.0.0.1', port });
  } catch (e) {
    await af?.close();
    await pgDb?.drop();
    tmp.cleanup();
    throw e;
  }
  const opened = af;
  const tenantBySlug = async (slug: string) => (await opened.repo.tenants.bySlug(slug))!;
  const tenant = await tenantBySlug('main');
  const issuerOf = (slug: string) => `${publicUrl}/t/${slug}`;

  return {
    af: opened,
    clock,
    url: publicUrl,
    issuer: issuerOf('main'),
    tenant,
    logs,
    tenantBySlug,
    async client(opts = {}) {
      const { slug = 'main', ...fields } = opts;
      const created = await opened.admin.clients.create(LOCAL_ADMIN, slug, { name: `rp-${uuidv7()}`, type: 'confidential', redirect_uris: [REDIRECT], ...fields });
      const clientId = created.client_id;
      const secret = created.client_secret;
      const issuer = issuerOf(slug);
      const server: oidc.ServerMetadata = {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/userinfo`,
        introspection_endpoint: `${issuer}/introspect`,
        revocation_endpoint: `${issuer}/revoke`,
        jwks_uri: `${issuer}/jwks`,
        authorization_response_iss_parameter_supported: true,
      };
      const alg = (fields.id_token_signed_response_alg as string | undefined) ?? 'RS256';
      const cfg = new oidc.Configuration(server, clientId, { id_token_signed_response_alg: alg, ...(secret ? { client_secret: secret } : {}) }, secret ? oidc.ClientSecretBasic(secret) : oidc.None());
      oidc.allowInsecureRequests(cfg);
      return { clientId, secret, redirectUri: ((fields.redirect_uris as string[] | undefined) ?? [REDIRECT])[0]!, config: cfg };
    },
    async user(fields = {}) {
      const now = clock.now();
      const id = uuidv7(now);
      const user: User = {
        id,
        tenantId: tenant.id,
        email: `u-${id.slice(-12)}@example.com`,
        emailVerified: true,
        phone: null,
        phoneVerified: false,
        name: 'Ada Lovelace',
        givenName: 'Ada',
        familyName: 'Lovelace',
        locale: 'en-GB',
        picture: null,
        attributes: {},
        externalId: null,
        disabled: false,
        createdAt: now,
        updatedAt: now,
        lastLoginAt: null,
        ...fields,
      };
      await opened.repo.users.insert(user);
      return user;
    },
    async authorize(rp, user, o = {}) {
      const t = o.tenant ?? tenant;
      const now = clock.now();
      const scope = o.scope ?? 'openid profile email offline_access';
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = o.nonce === undefined ? oidc.randomNonce() : o.nonce;
      const pkce = o.pkce !== false;
      const grantId = uuidv7(now);
      await opened.repo.grants.save({ id: grantId, tenantId: t.id, userId: user.id, clientId: rp.clientId, scopes: scope.split(' '), createdAt: now, updatedAt: now, revokedAt: null });
      const sessionId = uuidv7(now);
      await opened.repo.sessions.insert({
        id: sessionId,
        tenantId: t.id,
        userId: user.id,
        secretHash: sha256(typedSecret('ss')),
        amr: ['pwd'],
        acr: null,
        authTime: now - 5_000,
        userAgent: null,
        ip: null,
        createdAt: now - 5_000,
        lastSeenAt: now,
        idleExpiresAt: now + 3_600_000,
        expiresAt: now + 86_400_000,
        endedAt: null,
      });
      const code = await issueAuthorizationCode(
        { repo: opened.repo, clock },
        {
          tenantId: t.id,
          clientId: rp.clientId,
          userId: user.id,
          grantId,
          sessionId,
          redirectUri: rp.redirectUri,
          scope,
          nonce,
          codeChallenge: pkce ? await oidc.calculatePKCECodeChallenge(verifier) : null,
          codeChallengeMethod: pkce ? 'S256' : null,
          claims: o.claims ?? null,
          authTime: now - 5_000,
          acr: null,
          amr: ['pwd'],
          ttlSeconds: 60,
        },
      );
      const callback = new URL(rp.redirectUri);
      callback.searchParams.set('code', code);
      callback.searchParams.set('state', state);
      callback.searchParams.set('iss', issuerOf(t.slug));
      return { code, state, nonce: nonce ?? '', verifier, callback, sessionId, grantId, checks: { pkceCodeVerifier: verifier, expectedState: state, ...(nonce ? { expectedNonce: nonce } : {}) } };
    },
    async disableUser(user) {
      const { users } = opened.database.schema;
      await opened.database.transaction(async (tx) => void (await tx.update(users).set({ disabled: true, updatedAt: clock.now() }).where(eq(users.id, user.id))));
    },
    fetch: (path, init) => fetch(`${publicUrl}${path}`, init),
    async stop() {
      try {
        await serving?.stop();
      } finally {
        await pgDb?.drop();
        tmp.cleanup();
      }
    },
  };
}

/** The RFC 6749 §5.2 / RFC 6750 §3 error code of a failed openid-client call, or what was thrown. */
export async function oauthErrorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    const err = e as { error?: string; code?: string; cause?: unknown; message?: string };
    // WWWAuthenticateChallengeError (RFC 6750 §3): the challenges' error parameter.
    if (Array.isArray(err.cause)) return (err.cause as { parameters?: { error?: string } }[])[0]?.parameters?.error ?? 'challenge without error';
    return err.error ?? (err.cause as { error?: string } | undefined)?.error ?? `${err.code ?? ''}: ${err.message ?? String(e)}`;
  }
  throw new Error('expected the call to fail');
}

/** A token request made by hand (form-encoded; Basic auth, or client_id for a public client). */
export async function tokenRequest(h: FlowHarness, rp: RpClient, params: Record<string, string>, slug = 'main'): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const form = new URLSearchParams(params);
  if (rp.secret) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(rp.clientId)}:${encodeURIComponent(rp.secret)}`).toString('base64')}`;
  else form.set('client_id', rp.clientId);
  const res = await h.fetch(`/t/${slug}/token`, { method: 'POST', headers, body: form });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
