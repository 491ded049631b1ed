// Shared by the hosted-page suites (oidc-authorize*, oidc-login*): a fresh
// install served over real HTTP on a loopback port (its public URL), or
// in-process through `app.fetch` with an https public URL (Secure cookies);
// and a small browser: a cookie jar, redirects followed by hand, forms read
// from the HTML the server sent.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { buildHttpApp, createLogger, initialize, openAuthflow, startServer, type Authflow, type Serving } from '../../src/app/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { TEST_ENV } from '../helpers/cli.ts';
import { createPgDatabase, tempDir } from '../helpers/db.ts';
import { LogSink } from '../helpers/server.ts';

export { DATABASES } from '../helpers/server.ts';

/** A clock the test can move forward; real time otherwise. */
export class TestClock {
  #offset = 0;
  now(): number {
    return Date.now() + this.#offset;
  }
  advance(ms: number): void {
    this.#offset += ms;
  }
}

export interface Site {
  readonly af: Authflow;
  readonly clock: TestClock;
  readonly logs: LogSink;
  /** The public URL (http://127.0.0.1:PORT, or https://id.authflow.test in-process). */
  readonly url: string;
  readonly fetch: (url: string, init?: RequestInit) => Promise<Response>;
  issuer(slug?: string): string;
  client(input: Record<string, unknown>, slug?: string): Promise<{ clientId: string; secret: string | undefined }>;
  user(email: string, password: string, slug?: string, extra?: Record<string, unknown>): Promise<string>;
  browser(): Browser;
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

/** A fresh install. `https`: served in-process with an https public URL (cookies must then be Secure and __Host-). */
export async function startSite(options: { database?: 'sqlite' | 'postgres'; https?: boolean } = {}): Promise<Site> {
  const tmp = tempDir();
  const pg = options.database === 'postgres' ? await createPgDatabase() : undefined;
  const dataDir = join(tmp.path, 'data');
  const clock = new TestClock();
  const logs = new LogSink();
  let af: Authflow | undefined;
  let serving: Serving | undefined;
  try {
    const port = options.https ? 0 : await freePort();
    const url = options.https ? 'https://id.authflow.test' : `http://127.0.0.1:${port}`;
    await initialize({ dataDir, publicUrl: url, tenantSlug: 'main', databaseUrl: pg?.url });
    const config = loadConfig({ dataDir, env: { ...TEST_ENV }, flags: { ...(pg ? { database_url: pg.url } : {}), metrics: { listen: 'main' } } });
    af = await openAuthflow(config, { clock, logger: createLogger({ logLevel: 'info', logFormat: 'json' }, logs) });
    const opened = af;
    let fetcher: Site['fetch'];
    if (options.https) {
      const app = buildHttpApp(opened);
      fetcher = async (u, init) => app.fetch(new Request(u, init));
    } else {
      serving = await startServer(opened, { host: '127.0.0.1', port });
      fetcher = (u, init) => fetch(u, init);
    }
    const srv = serving;
    let stopped = false;
    const issuer = (slug = 'main') => `${url}/t/${slug}`;
    return {
      af: opened,
      clock,
      logs,
      url,
      fetch: fetcher,
      issuer,
      async client(input, slug = 'main') {
        const r = await opened.admin.clients.create(LOCAL_ADMIN, slug, { name: `app-${randomBytes(4).toString('hex')}`, ...input });
        return { clientId: r.client_id, secret: r.client_secret };
      },
      async user(email, password, slug = 'main', extra = {}) {
        return (await opened.admin.users.create(LOCAL_ADMIN, slug, { email, password, ...extra })).id;
      },
      browser: () => new Browser(fetcher),
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          if (srv) await srv.stop();
          else await opened.close();
        } finally {
          await pg?.drop();
          tmp.cleanup();
        }
      },
    };
  } catch (e) {
    await serving?.stop().catch(() => {});
    await af?.close().catch(() => {});
    await pg?.drop().catch(() => {});
    tmp.cleanup();
    throw e;
  }
}

/** One cookie as the jar keeps it, with the attributes the server set. */
export interface JarCookie {
  readonly name: string;
  readonly value: string;
  readonly attributes: readonly string[];
  readonly raw: string;
}

/** A form found in a page: where it posts and its fields (hidden inputs and buttons' defaults not included). */
export interface PageForm {
  readonly action: string;
  readonly fields: Record<string, string>;
}

/**
 * Enough of a browser for the hosted pages: one host, a cookie jar honouring
 * Max-Age=0 deletions, redirects NOT followed automatically (tests look at
 * each hop), and the forms of the last HTML page.
 */
export class Browser {
  readonly jar = new Map<string, JarCookie>();
  readonly #fetch: Site['fetch'];
  constructor(fetcher: Site['fetch']) {
    this.#fetch = fetcher;
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.jar.size) headers.set('cookie', [...this.jar.values()].map((c) => `${c.name}=${c.value}`).join('; '));
    const res = await this.#fetch(url, { ...init, headers, redirect: 'manual' });
    for (const raw of res.headers.getSetCookie()) {
      const [pair, ...attrs] = raw.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (attrs.some((a) => /^max-age=0$/i.test(a)) || value === '') this.jar.delete(name);
      else this.jar.set(name, { name, value, attributes: attrs, raw });
    }
    return res;
  }

  get(url: string): Promise<Response> {
    return this.request(url);
  }

  post(url: string, fields: Record<string, string>): Promise<Response> {
    return this.request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  }

  /** Follows a redirect's Location (relative to `from`). */
  follow(res: Response, from: string): Promise<Response> {
    const location = res.headers.get('location');
    if (!location) throw new Error(`expected a redirect, got ${res.status}`);
    return this.get(new URL(location, from).toString());
  }

  cookie(predicate: (name: string) => boolean): JarCookie | undefined {
    return [...this.jar.values()].find((c) => predicate(c.name));
  }
}

/** The first form of a page, with its hidden and prefilled text inputs. */
export function formOf(html: string, base: string): PageForm {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error(`no form in the page:\n${html.slice(0, 2000)}`);
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input([^>]*)>/g)) {
    const attr = (n: string) => new RegExp(`\\b${n}="([^"]*)"`).exec(input[1]!)?.[1];
    const type = attr('type');
    const name = attr('name');
    if (name && (type === 'hidden' || type === 'email' || type === 'text')) fields[name] = unescapeHtml(attr('value') ?? '');
  }
  return { action: new URL(unescapeHtml(form[1]!), base).toString(), fields };
}

export function unescapeHtml(s: string): string {
  return s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** RFC 7636 §4.1–4.2: a verifier and its S256 challenge. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function sha256b64url(s: string): string {
  return createHash('sha256').update(s).digest('base64url');
}

/** The query parameters of a redirect's Location. */
export function redirectParams(res: Response): URLSearchParams {
  const location = res.headers.get('location');
  if (!location) throw new Error(`expected a redirect, got ${res.status}`);
  return new URL(location).searchParams;
}

export const REDIRECT_URI = 'http://127.0.0.1:9/callback';

/** An authorization request URL for `clientId`, with S256 PKCE unless overridden (null removes a parameter). */
export function authorizeUrl(site: Site, clientId: string, params: Record<string, string | null> = {}, slug = 'main'): { url: string; verifier: string } {
  const { verifier, challenge } = pkce();
  const all: Record<string, string | null> = {
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid profile email',
    state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...params,
  };
  const q = new URLSearchParams(Object.entries(all).filter((e): e is [string, string] => e[1] !== null));
  return { url: `${site.issuer(slug)}/authorize?${q}`, verifier };
}

/**
 * Signs in on the login page the browser was sent to (`res` is the redirect
 * from /authorize); returns the response to the login form post.
 */
export async function signIn(b: Browser, site: Site, res: Response, email: string, password: string, extra: Record<string, string> = {}): Promise<Response> {
  const page = await b.follow(res, site.url);
  if (page.status !== 200) throw new Error(`login page: ${page.status} ${await page.text()}`);
  const form = formOf(await page.text(), site.url);
  return b.post(form.action, { ...form.fields, identifier: email, password, ...extra });
}

/** Approves (or denies) on the consent page `res` redirects to. */
export async function consent(b: Browser, site: Site, res: Response, decision: 'allow' | 'deny' = 'allow'): Promise<Response> {
  const page = await b.follow(res, site.url);
  const html = await page.text();
  if (!html.includes('name="decision"')) throw new Error(`not a consent page: ${page.status} ${html.slice(0, 500)}`);
  const form = formOf(html, site.url);
  return b.post(form.action, { ...form.fields, decision });
}
