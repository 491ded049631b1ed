// The built binary (dist/authflow) as an OpenID provider for the e2e suites:
// copied alone into an empty folder, provisioned through its own CLI (--json),
// served on the port its public URL names, and a small browser (cookie jar,
// redirects followed by hand, forms read from the HTML the server sent).
// Build it first: npm run build && npm run test:e2e
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BUILT = join(import.meta.dirname, '..', '..', 'dist', 'authflow');

/**
 * The whole environment of every run: no NODE_OPTIONS, no HOME, no Node.js on the PATH, argon2 at its default
 * cost; every request in the access log, so that the checks for what the log must never hold read real lines.
 */
const ENV = { PATH: '/usr/bin:/bin', AUTHFLOW_LOG_ACCESS: 'true' };

export interface Result {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Server {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the server wrote to stdout and stderr so far (its JSON log). */
  output(): string;
  stop(): Promise<Result>;
}

/** A copy of the binary in a private temp dir; `close()` kills what is still running and removes the dir. */
export class Binary {
  readonly work: string;
  readonly path: string;
  readonly #running = new Set<ChildProcess>();

  constructor() {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run "npm run build" before "npm run test:e2e"`);
    this.work = mkdtempSync(join(tmpdir(), 'authflow-e2e-oidc-'));
    this.path = join(this.work, 'authflow');
    copyFileSync(BUILT, this.path);
    chmodSync(this.path, 0o755);
  }

  #spawn(args: readonly string[], stdin: string | undefined): { child: ChildProcess; done: Promise<Result>; stdout: () => string; stderr: () => string } {
    const child = spawn(this.path, args, { cwd: this.work, env: ENV, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    this.#running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    if (stdin !== undefined) child.stdin!.end(stdin);
    const done = new Promise<Result>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => {
        this.#running.delete(child);
        resolve({ code, signal, stdout, stderr });
      });
    });
    return { child, done, stdout: () => stdout, stderr: () => stderr };
  }

  /** Runs the binary to completion (killed after 30 s); `stdin` is piped in and closed. */
  async run(args: readonly string[], stdin?: string): Promise<Result> {
    const { child, done } = this.#spawn(args, stdin);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      return await done;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs a `--json` command that must succeed and returns its one JSON document. */
  async json<T>(args: readonly string[], stdin?: string): Promise<T> {
    const r = await this.run(['--json', ...args], stdin);
    if (r.code !== 0) throw new Error(`authflow ${args.join(' ')} exited ${r.code ?? r.signal}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  /** `serve --port PORT`, resolved once its "listening" log line names the URL. */
  async serve(dataDir: string, port: number): Promise<Server> {
    const { child, done, stdout, stderr } = this.#spawn(['--data-dir', dataDir, 'serve', '--port', String(port)], undefined);
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not log its URL within 15 s:\n${stdout()}`)), 15_000);
      const look = () => {
        for (const line of stdout().split('\n').slice(0, -1)) {
          if (!line.startsWith('{')) continue;
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg?.startsWith('authflow listening on') && entry.url) {
            clearTimeout(timer);
            child.stdout!.off('data', look);
            resolve(entry.url);
            return;
          }
        }
      };
      child.stdout!.on('data', look);
      void done.then((r) => {
        clearTimeout(timer);
        reject(new Error(`serve exited (${r.code ?? r.signal}) before listening:\n${r.stdout}${r.stderr}`));
      });
    });
    await untilReady(url);
    return {
      url,
      child,
      output: () => stdout() + stderr(),
      stop() {
        child.kill('SIGTERM');
        return done;
      },
    };
  }

  close(): void {
    for (const child of this.#running) child.kill('SIGKILL');
    this.#running.clear();
    rmSync(this.work, { recursive: true, force: true });
  }
}

async function untilReady(url: string, deadlineMs = 10_000): Promise<void> {
  const deadline = performance.now() + deadlineMs;
  for (;;) {
    const r = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    if (r?.status === 200) return;
    if (performance.now() > deadline) throw new Error(`${url}/readyz did not answer 200 within ${deadlineMs} ms (last: ${r?.status})`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A loopback port free right now (the public URL must name the port the server will listen on). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

// Redirect URIs nothing listens on: the tests only read the Location headers that point there.
export const WEB_CALLBACK = 'http://127.0.0.1:9/web/callback';
export const WEB_BYE = 'http://127.0.0.1:9/web/bye';
export const SPA_CALLBACK = 'http://127.0.0.1:9/spa/callback';
export const EMAIL = 'ada@example.com';
export const PASSWORD = 'correct horse battery staple';

interface ClientJson {
  client_id: string;
  token_endpoint_auth_method: string;
  grant_types: string[];
  type: string;
  client_secret?: string;
}

/** A fresh install of the binary with tenant `acme`, its three clients and one user, served at its public URL. */
export interface Provider {
  readonly binary: Binary;
  readonly url: string;
  readonly issuer: string;
  readonly server: Server;
  readonly database: 'sqlite' | 'postgres';
  /** Confidential web app: client_secret_basic, redirect WEB_CALLBACK, post-logout WEB_BYE. */
  readonly web: { id: string; secret: string };
  /** Public SPA: auth method none, PKCE, redirect SPA_CALLBACK, first-party (no consent page). */
  readonly spa: { id: string; authMethod: string };
  /** Machine client: client_credentials only. */
  readonly machine: { id: string; secret: string };
  readonly userId: string;
  /** Milliseconds the CLI took to provision all of it (init … user create). */
  readonly provisionMs: number;
}

/** `init` (optionally on `databaseUrl`), `tenant create acme`, the clients and the user through the CLI, then `serve`. */
export async function startProvider(binary: Binary, name: string, databaseUrl?: string): Promise<Provider> {
  const dataDir = join(binary.work, name);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const dd = ['--data-dir', dataDir];
  const init = await binary.json<{ database: string }>([...dd, ...(databaseUrl ? ['--database-url', databaseUrl] : []), 'init', '--non-interactive', '--public-url', url]);
  const tenant = await binary.json<{ slug: string; issuer: string }>([...dd, 'tenant', 'create', 'acme']);
  const client = (args: string[]) => binary.json<ClientJson>([...dd, 'client', 'create', '--tenant', 'acme', ...args]);
  const web = await client(['--name', 'Acme Notes', '--redirect-uri', WEB_CALLBACK, '--post-logout-redirect-uri', WEB_BYE]);
  const spa = await client(['--name', 'Acme SPA', '--type', 'public', '--redirect-uri', SPA_CALLBACK, '--first-party']);
  const machine = await client(['--name', 'Acme Billing', '--grant', 'client_credentials']);
  const user = await binary.json<{ id: string; email: string }>(
    [...dd, 'user', 'create', '--tenant', 'acme', '--email', EMAIL, '--email-verified', '--name', 'Ada Lovelace', '--password-stdin'],
    PASSWORD,
  );
  const provisionMs = performance.now() - started;
  if (init.database !== (databaseUrl ? 'postgres' : 'sqlite')) throw new Error(`init reported database ${init.database}`);
  if (!web.client_secret || !machine.client_secret || spa.client_secret !== undefined) throw new Error('unexpected client secrets from client create');
  const server = await binary.serve(dataDir, port);
  if (server.url !== url) throw new Error(`serve listens on ${server.url}, the public URL is ${url}`);
  return {
    binary,
    url,
    issuer: tenant.issuer,
    server,
    database: databaseUrl ? 'postgres' : 'sqlite',
    web: { id: web.client_id, secret: web.client_secret },
    spa: { id: spa.client_id, authMethod: spa.token_endpoint_auth_method },
    machine: { id: machine.client_id, secret: machine.client_secret },
    userId: user.id,
    provisionMs,
  };
}

/** One cookie as the jar keeps it. */
interface JarCookie {
  readonly name: string;
  readonly value: string;
}

/** Enough of a browser for the hosted pages: a cookie jar (honouring Max-Age=0), redirects NOT followed automatically. */
export class Browser {
  readonly jar = new Map<string, JarCookie>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.jar.size) headers.set('cookie', [...this.jar.values()].map((c) => `${c.name}=${c.value}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const raw of res.headers.getSetCookie()) {
      const [pair, ...attrs] = raw.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (attrs.some((a) => /^max-age=0$/i.test(a)) || value === '') this.jar.delete(name);
      else this.jar.set(name, { name, value });
    }
    return res;
  }

  get(url: string): Promise<Response> {
    return this.request(url);
  }

  post(url: string, fields: Record<string, string>): Promise<Response> {
    return this.request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  }
}

/** A form found in a page: where it posts and its hidden and prefilled text fields. */
export interface PageForm {
  readonly action: string;
  readonly fields: Record<string, string>;
}

/** The first form of a page. */
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

function unescapeHtml(s: string): string {
  return s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The hosted pages a browser went through on its way back to the client. */
export type Step = 'login' | 'consent';

/**
 * Drives the browser from an authorization URL back to `redirectUri`: signs in
 * with `credentials` when the login page comes (throws when it comes without
 * them), approves the consent page when it comes. Returns the final redirect
 * and the pages shown.
 */
export async function throughHostedPages(
  b: Browser,
  authorizeUrl: string,
  redirectUri: string,
  credentials?: { email: string; password: string },
): Promise<{ callback: URL; steps: Step[] }> {
  const steps: Step[] = [];
  let res = await b.get(authorizeUrl);
  let from = authorizeUrl;
  for (let hop = 0; hop < 10; hop++) {
    const location = res.headers.get('location');
    if (res.status < 300 || res.status > 399 || !location) throw new Error(`expected a redirect from ${from}, got ${res.status}: ${(await res.text()).slice(0, 500)}`);
    const next = new URL(location, from);
    if (next.href.startsWith(`${redirectUri}?`)) return { callback: next, steps };
    const page = await b.get(next.href);
    from = next.href;
    if (page.status !== 200) {
      res = page;
      continue;
    }
    const html = await page.text();
    const form = formOf(html, from);
    if (html.includes('name="decision"')) {
      steps.push('consent');
      res = await b.post(form.action, { ...form.fields, decision: 'allow' });
    } else if (html.includes('name="password"')) {
      steps.push('login');
      if (!credentials) throw new Error(`the login page was shown (${from}) where none was expected`);
      res = await b.post(form.action, { ...form.fields, identifier: credentials.email, password: credentials.password });
    } else {
      throw new Error(`neither a login nor a consent page at ${from}:\n${html.slice(0, 1000)}`);
    }
    from = form.action;
  }
  throw new Error('too many redirects');
}

/** The median of some samples. */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}
