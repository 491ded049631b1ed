// One full sign-in on authflow's hosted pages, as a browser without
// JavaScript does it, then the code exchange: /authorize → login page →
// form post (email + password) → redirect with the code → /token with the
// PKCE verifier. Discovery is not part of it (an RP caches it).
import { createHash, randomBytes } from 'node:crypto';
import type { Agent } from 'node:http';
import { basic, FORM, request, type Reply } from './http.ts';

export interface LoginTarget {
  /** http://127.0.0.1:PORT/t/SLUG */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly email: string;
  readonly password: string;
}

export interface LoginResult {
  readonly accessToken: string;
  readonly idToken: string;
  /** HTTP requests it took. */
  readonly requests: number;
}

/** A cookie jar for one host: name → value, honouring deletions. */
class Jar {
  readonly #cookies = new Map<string, string>();
  header(): Record<string, string> {
    return this.#cookies.size ? { cookie: [...this.#cookies].map(([n, v]) => `${n}=${v}`).join('; ') } : {};
  }
  take(reply: Reply): void {
    const set = reply.headers['set-cookie'] ?? [];
    for (const raw of set) {
      const [pair = '', ...attrs] = raw.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || attrs.some((a) => /^max-age=0$/i.test(a))) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
}

function unescapeHtml(s: string): string {
  return s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The first form of a page: where it posts and its hidden fields. */
function formOf(html: string, base: string): { action: string; fields: Record<string, string> } {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error(`login page without a form: ${html.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input([^>]*)>/g)) {
    const attr = (n: string) => new RegExp(`\\b${n}="([^"]*)"`).exec(input[1]!)?.[1];
    const name = attr('name');
    if (name && attr('type') === 'hidden') fields[name] = unescapeHtml(attr('value') ?? '');
  }
  return { action: new URL(unescapeHtml(form[1]!), base).toString(), fields };
}

function expectRedirect(r: Reply, what: string): string {
  const location = r.headers.location;
  if (r.status < 300 || r.status > 399 || !location) throw new Error(`${what}: expected a redirect, got ${r.status} ${r.text.slice(0, 300)}`);
  return location;
}

export async function login(t: LoginTarget, agent: Agent): Promise<LoginResult> {
  const jar = new Jar();
  let requests = 0;
  const go = async (url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) => {
    requests++;
    const r = await request(url, { ...init, headers: { ...init.headers, ...jar.header() }, agent });
    jar.take(r);
    return r;
  };
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(8).toString('base64url');
  const q = new URLSearchParams({
    client_id: t.clientId,
    redirect_uri: t.redirectUri,
    response_type: 'code',
    scope: 'openid profile email',
    state,
    nonce: randomBytes(8).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  let location = expectRedirect(await go(`${t.issuer}/authorize?${q}`), 'authorize');
  const page = await go(new URL(location, t.issuer).toString());
  if (page.status !== 200) throw new Error(`login page: ${page.status} ${page.text.slice(0, 300)}`);
  const form = formOf(page.text, t.issuer);
  let r = await go(form.action, { method: 'POST', headers: { 'content-type': FORM }, body: new URLSearchParams({ ...form.fields, identifier: t.email, password: t.password }).toString() });
  // Follow the hops (if any) until the redirect to the client.
  for (let hops = 0; ; hops++) {
    location = new URL(expectRedirect(r, 'sign-in'), t.issuer).toString();
    if (location.startsWith(t.redirectUri)) break;
    if (hops > 5) throw new Error(`sign-in: too many redirects (${location})`);
    r = await go(location);
  }
  const back = new URL(location).searchParams;
  const code = back.get('code');
  if (!code || back.get('state') !== state) throw new Error(`sign-in: no code for our state in ${location}`);
  const tok = await go(`${t.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': FORM, authorization: basic(t.clientId, t.clientSecret) },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: t.redirectUri, code_verifier: verifier }).toString(),
  });
  if (tok.status !== 200) throw new Error(`code exchange: ${tok.status} ${tok.text.slice(0, 300)}`);
  const body = JSON.parse(tok.text) as { access_token?: string; id_token?: string };
  if (!body.access_token || !body.id_token) throw new Error(`code exchange: no tokens in ${tok.text.slice(0, 300)}`);
  return { accessToken: body.access_token, idToken: body.id_token, requests };
}
