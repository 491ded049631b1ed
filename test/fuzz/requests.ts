// The generator: one hostile HTTP/1.1 request per call, as raw bytes, built
// from a route the app serves and from what a browser or relying party would
// know (Knowledge), then bent: request-target, Host, query, headers, framing
// and body. Each request comes from its own seeded generator, so it can be
// replayed alone from the run's seed and its index.
import type { Random } from './random.ts';
import { PUBLIC_HOST, type Knowledge, type Route } from './target.ts';

export interface FuzzRequest {
  /** What was done to it, for the report (`GET /t/:tenant/token · dot-segment · chunked`). */
  readonly label: string;
  readonly route: string;
  readonly method: string;
  /** The request-target as sent. */
  readonly target: string;
  readonly bytes: Buffer;
  /** The body was cut short of its declared length: the server may close without answering. */
  readonly truncated: boolean;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const ODD_METHODS = ['TRACE', 'PROPFIND', 'MKCOL', 'get', 'Post', 'SEARCH', 'QUERY', 'BREW', 'X'.repeat(40), 'M-SEARCH', 'PURGE', 'LINK'];

const HOSTILE_SEGMENTS = [
  '..', '.', '%2e%2e', '%2E%2e', '.%2e', '%2e', '%2f', '%2F', '%5c', '%5C', '%00', '%zz', '%', '%e', '%c0%ae%c0%ae',
  '%ef%bc%8f', 'é', '%C3%A9', '\u{1F600}', '%F0%9F%98%80', '%ff%fe', '%20', '+', ';', ';jsessionid=1', 'a;b', '~', '%7e', '%41',
  '*', '$', "'", '"', '<script>', '%3cscript%3e', '{}', '[]', '__proto__', 'constructor', 'prototype', 'null', 'undefined', 'NaN',
  '-1', '0', '99999999999999999999', '1e309', 'main ', ' main', 'MAIN', 'Main', 'ma\tin', 'x'.repeat(300), 'a%2fb', '..%2f', '%2e%2e%2f',
  'login', 'api', 'v1', 'healthz', '.well-known', 'openid-configuration', 'jwks',
];

const HOSTILE_VALUES = [
  '', ' ', '%', '%zz', '%00', '%0a%0d', '%ff', '%C0%80', '\u0000', 'null', 'true', '[]', '{}', '{"a":', '[[[[', '-1', '0', '1e999', '9'.repeat(40),
  '<script>alert(1)</script>', '"><img src=x>', "' OR 1=1 --", '${jndi:ldap://x}', '../../../../etc/passwd', 'javascript:alert(1)', '//evil.example',
  'https://evil.example/cb', 'https://rp.example/cb#frag', 'https://rp.example/cb?x=1', 'HTTPS://RP.EXAMPLE/cb', 'https://rp.example/cb/', 'http://localhost:8080/t/main',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'é', '\u{1F600}', '\uFEFF', '\u202e', '\ud800', 'openid openid openid', 'openid\u0000profile',
  'code', 'token', 'id_token', 'code id_token', 'none', 'S256', 'plain', 'client_credentials', 'authorization_code', 'refresh_token', 'password',
  'urn:ietf:params:oauth:grant-type:jwt-bearer', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.',
  'eyJhbGciOiJIUzI1NiJ9.e30.', 'a.b.c', '...', 'af_', 'af_x', 'af_rt_' + 'A'.repeat(43), 'Bearer', 'login', 'consent', 'select_account', 'none login',
];

const OAUTH_PARAMS = [
  'client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt', 'max_age', 'id_token_hint',
  'login_hint', 'ui_locales', 'claims', 'request', 'request_uri', 'response_mode', 'acr_values', 'display', 'resource', 'audience',
  'grant_type', 'code', 'code_verifier', 'refresh_token', 'client_secret', 'client_assertion', 'client_assertion_type', 'token', 'token_type_hint',
  'post_logout_redirect_uri', 'logout_hint', 'access_token', 'username', 'password', 'identifier', 'email', 'remember', 'csrf', 'action', 'step',
  'limit', 'cursor', 'search', 'tenant', 'since', 'until', 'done', 'consent', 'approve', 'deny', 'terms', 'name', 'given_name', 'family_name', 'locale', 'picture', 'phone',
  'new_password', 'current_password', 'confirm_password', 'session_id', 'logout', '__proto__', 'constructor', 'a[b]', 'a[]', '',
];

export function generate(rng: Random, routes: readonly Route[], k: Knowledge): FuzzRequest {
  const tags: string[] = [];
  const route = rng.chance(0.03) ? { method: '', path: rng.pick(['/', '/t', '/t/', '/api', '/api/v2/x', '/.well-known/oauth-authorization-server', '/favicon.ico', '/t/:tenant', '/t/:tenant/nope/:x']) } : rng.pick(routes);
  const isApi = route.path.startsWith('/api/');
  let method = route.method || rng.pick(METHODS);
  if (rng.chance(0.1)) {
    method = rng.chance(0.7) ? rng.pick(METHODS) : rng.pick(ODD_METHODS);
    tags.push('method');
  }

  // The API key decides how far an API request gets; with the admin key it acts on the scratch tenant only.
  const auth = isApi ? rng.weighted<'admin' | 'tenant' | 'none' | 'junk'>([[5, 'admin'], [2, 'tenant'], [1, 'none'], [2, 'junk']]) : 'none';
  // Deleting the scratch tenant would leave the rest of the run nothing to act on.
  const keyed = isApi && (auth === 'admin' || auth === 'tenant') && !(method === 'DELETE' && route.path === '/api/v1/tenants/:tenant');
  let path = fillPath(rng, route.path, k, keyed);
  if (rng.chance(0.25)) {
    path = bendPath(rng, path, tags);
  }
  let target = path;
  if (rng.chance(route.method === 'GET' || route.method === '' ? 0.6 : 0.25)) target += `?${query(rng, k, tags, route.path)}`;
  else if (rng.chance(0.03)) {
    target += rng.pick(['?', '??', '?&', '?=', '?%', '#frag', '?a=1#b', '?' + '&'.repeat(500)]);
    tags.push('odd-query');
  }
  if (rng.chance(0.02)) {
    target = rng.pick([`http://${PUBLIC_HOST}${target}`, `https://${PUBLIC_HOST}${target}`, `http://evil.example${target}`, `HTTP://${PUBLIC_HOST}${target}`, '*', `${PUBLIC_HOST}${target}`, `http://${PUBLIC_HOST}`, `http://[::1${target}`, `http://a:99999${target}`]);
    tags.push('absolute-form');
  }

  const headers: [string, string][] = [];
  const host = rng.chance(0.9) ? PUBLIC_HOST : bendHost(rng, tags);
  if (host !== undefined) headers.push(['Host', host]);
  if (rng.chance(0.02)) {
    headers.push(['Host', rng.pick(['evil.example', PUBLIC_HOST, ''])]);
    tags.push('second-host');
  }
  if (auth === 'admin') headers.push(['Authorization', `Bearer ${k.adminKey}`]);
  else if (auth === 'tenant') headers.push(['Authorization', `Bearer ${k.tenantKey}`]);
  else if (auth === 'junk' || rng.chance(0.15)) headers.push(['Authorization', junkAuthorization(rng, k, tags)]);
  if (!isApi && rng.chance(0.5)) headers.push(['Cookie', cookies(rng, k, tags)]);
  if (rng.chance(0.2)) headers.push(...extraHeaders(rng, k, tags));

  const body = makeBody(rng, method, isApi, route.path, k, tags);
  const framing = frame(rng, body, tags);
  headers.push(...framing.headers);

  const head = `${method} ${target} ${rng.chance(0.02) ? rng.pick(['HTTP/1.0', 'HTTP/1.2', 'HTTP/2.0', 'http/1.1', 'HTTP/1.1 ']) : 'HTTP/1.1'}`;
  const lines = [head, ...headers.map(([n, v]) => `${n}: ${v}`)];
  if (rng.chance(0.85)) lines.push('Connection: close');
  const bytes = Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, rng.chance(0.1) ? 'latin1' : 'utf8'), framing.bytes]);
  return { label: [`${method} ${route.path}`, ...tags].join(' · '), route: route.path, method, target, bytes, truncated: framing.truncated };
}

function fillPath(rng: Random, template: string, k: Knowledge, scratch: boolean): string {
  return template.replace(/:([A-Za-z_]+)|\*\*/g, (whole, name: string | undefined) => {
    if (whole === '**') return Array.from({ length: rng.int(0, 4) }, () => (rng.chance(0.7) ? rng.string(rng.int(1, 12), 'abcdefghijklmnopqrstuvwxyz0123456789-_') : rng.pick(HOSTILE_SEGMENTS))).join('/') || 'x';
    if (name === 'tenant') {
      if (scratch) return rng.chance(0.9) ? k.scratchTenant : rng.pick([k.tenant, 'nope', rng.pick(HOSTILE_SEGMENTS)]);
      return rng.weighted([[8, k.tenant], [1, k.scratchTenant], [1, 'nope'], [1, rng.pick(HOSTILE_SEGMENTS)]]);
    }
    const known = (Object.hasOwn(k.params, name!) && k.params[name!]) || [];
    if (known.length && rng.chance(0.7)) return rng.pick(known);
    return rng.chance(0.5) ? rng.pick(HOSTILE_SEGMENTS) : rng.string(rng.int(1, 40), 'abcdefghijklmnopqrstuvwxyz0123456789-_');
  });
}

/** Request-target tricks: dot segments (plain, encoded, mixed case), separators, escapes, size. */
function bendPath(rng: Random, path: string, tags: string[]): string {
  const segments = path.split('/');
  const at = rng.int(1, segments.length);
  const kind = rng.weighted<string>([
    [3, 'dot'], [2, 'encoded-dot'], [1, 'slash'], [1, 'encoded-slash'], [1, 'backslash'], [1, 'escape'], [1, 'bad-escape'], [1, 'unicode'],
    [1, 'long'], [1, 'huge'], [1, 'nul'], [1, 'trailing'], [1, 'case'], [1, 'semicolon'], [1, 'ctl'],
  ]);
  tags.push(`path:${kind}`);
  const insert = (s: string) => [...segments.slice(0, at), s, ...segments.slice(at)].join('/');
  switch (kind) {
    case 'dot': return insert(rng.pick(['..', '.', '../..', '...', '..;']));
    case 'encoded-dot': return insert(rng.pick(['%2e%2e', '%2E%2E', '%2e.', '.%2E', '%2e', '%252e%252e', '%c0%ae%c0%ae', '%u002e%u002e']));
    case 'slash': return insert('');
    case 'encoded-slash': return insert(rng.pick(['%2f', '%2F', 'a%2fb', '%2f%2f', '%252f']));
    case 'backslash': return insert(rng.pick(['\\', '..\\..', '%5c', '%5C..']));
    case 'escape': return path.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`);
    case 'bad-escape': return insert(rng.pick(['%', '%z', '%zz', '%1', '%%', '%g0', '%0']));
    case 'unicode': return insert(rng.pick(['é', '\u{1F600}', '%C3%A9', '%ef%bf%bd', 'ｍain', '\u2215', '\u2024\u2024']));
    case 'long': return `${path}/${'a'.repeat(rng.int(200, 4000))}`;
    case 'huge': return `${path}/${'b'.repeat(rng.int(9000, 70_000))}`;
    case 'nul': return insert(rng.pick(['%00', 'a%00b', '%00..']));
    case 'trailing': return path + rng.pick(['/', '//', '/.', '/..', '%20', '.', '~']);
    case 'case': return path.toUpperCase();
    case 'semicolon': return insert(rng.pick([';', ';a=b', '..;', 'x;.']));
    default: return insert(rng.pick(['\x7f', '\x01', '\t', 'a b', '"', '<>', '{}', '|', '^', '`']));
  }
}

function bendHost(rng: Random, tags: string[]): string | undefined {
  tags.push('host');
  return rng.pick([
    undefined, '', ' ', 'x:65536', 'x:99999', 'localhost:8080:80', 'localhost:', 'localhost:-1', 'localhost:+80', 'localhost:0x50', '[::1]', '[::1', '[zz]', '[::1]:99999',
    'user@localhost', 'localhost/path', 'localhost?q', 'localhost#f', 'loc alhost', 'évil.example', 'xn--', 'a..b', '.', '..', '%6cocalhost', 'localhost%00', 'LOCALHOST:8080',
    'h'.repeat(300), `${'a.'.repeat(200)}example`, '127.0.0.1', '0', '256.256.256.256', 'localhost:8080\x00', 'localhost\\evil', '*', '[fe80::1%25eth0]',
  ]);
}

/** The parameters a well-formed request to the route carries (then extra and bent ones are added). */
function recipe(rng: Random, route: string, k: Knowledge): string[] {
  if (rng.chance(0.4)) return [];
  const v = (name: string) => encodeValue(rng, value(rng, name, k, []));
  const csrf = () => `csrf=${encodeURIComponent(k.fields.csrf?.length ? rng.pick(k.fields.csrf) : 'x')}`;
  if (route.endsWith('/token')) {
    const grant = rng.pick(['client_credentials', 'authorization_code', 'refresh_token']);
    const auth = rng.pick([[], [`client_id=${v('client_id')}`, `client_secret=${v('client_secret')}`], [`client_id=${v('client_id')}`, `client_assertion_type=${v('client_assertion_type')}`, `client_assertion=${v('client_assertion')}`]]);
    const grantParams = grant === 'authorization_code' ? [`code=${v('code')}`, `redirect_uri=${v('redirect_uri')}`, `code_verifier=${'v'.repeat(43)}`] : grant === 'refresh_token' ? [`refresh_token=${v('refresh_token')}`] : [`scope=${v('scope')}`];
    return [`grant_type=${grant}`, ...auth, ...grantParams];
  }
  if (route.endsWith('/introspect') || route.endsWith('/revoke')) return [`token=${v('token')}`, `client_id=${v('client_id')}`, `client_secret=${v('client_secret')}`];
  if (route.endsWith('/authorize')) return ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method'].map((n) => `${n}=${v(n)}`);
  if (route.endsWith('/logout')) return [`id_token_hint=${v('id_token_hint')}`, `post_logout_redirect_uri=${v('post_logout_redirect_uri')}`, `client_id=${v('client_id')}`, csrf()];
  if (route.includes('/login/') || route.includes('/account/login')) return [csrf(), `identifier=${v('identifier')}`, `password=${v('password')}`];
  if (route.includes('/register/')) return [csrf(), `email=${v('email')}`, `password=${v('password')}`, 'terms=on'];
  if (route.includes('/account/')) return [csrf(), ...['name', 'email', 'password', 'current_password', 'new_password', 'session_id', 'client_id'].filter(() => rng.chance(0.4)).map((n) => `${n}=${v(n)}`)];
  if (route.includes('forgot-password') || route.includes('magic-link') || route.includes('verify-email')) return [csrf(), `email=${v('email')}`, `token=${v('token')}`];
  return [];
}

function query(rng: Random, k: Knowledge, tags: string[], route = ''): string {
  const pairs: string[] = recipe(rng, route, k);
  const n = rng.int(pairs.length ? 0 : 1, 6);
  for (let i = 0; i < n; i++) {
    const name = rng.chance(0.85) ? rng.pick(OAUTH_PARAMS) : rng.pick([...Object.keys(k.fields), rng.string(rng.int(1, 10), 'abcxyz_[]%.')]);
    pairs.push(`${encodeName(rng, name)}=${encodeValue(rng, value(rng, name, k, tags))}`);
    if (rng.chance(0.1)) {
      pairs.push(`${encodeName(rng, name)}=${encodeValue(rng, value(rng, name, k, tags))}`);
      tags.push('dup-param');
    }
  }
  if (rng.chance(0.05)) {
    pairs.push(`${rng.pick(OAUTH_PARAMS)}=${'q'.repeat(rng.int(4000, 60_000))}`);
    tags.push('huge-param');
  }
  if (rng.chance(0.03)) {
    for (let i = 0; i < rng.int(200, 3000); i++) pairs.push(`p${i}=${i}`);
    tags.push('many-params');
  }
  return pairs.join(rng.chance(0.05) ? ';' : '&');
}

const encodeName = (rng: Random, name: string) => (rng.chance(0.9) ? encodeURIComponent(name) : name);

function encodeValue(rng: Random, v: string): string {
  if (rng.chance(0.85)) {
    try {
      return encodeURIComponent(v);
    } catch {
      return v.replace(/[^\x21-\x7e]|[&#%]/g, '_');
    }
  }
  // Raw: keeps "%", "+" and the like as they are; anything a request line cannot hold becomes "_".
  return [...v].map((c) => (c.charCodeAt(0) <= 0x20 || c === '\x7f' || c === '#' ? '_' : c)).join('');
}

/** A plausible value for the parameter (so requests get past the first check), else a hostile one. */
function value(rng: Random, name: string, k: Knowledge, tags: string[]): string {
  if (rng.chance(0.35)) {
    tags.push('hostile-value');
    return rng.pick(HOSTILE_VALUES);
  }
  const client = rng.pick(k.clients);
  switch (name) {
    case 'client_id': return client.id;
    case 'redirect_uri': case 'post_logout_redirect_uri': return client.redirectUri;
    case 'response_type': return rng.pick(['code', 'code', 'token', 'id_token', 'code id_token']);
    case 'scope': return rng.pick(['openid', 'openid profile email', 'openid offline_access', 'email', 'admin']);
    case 'code_challenge': return rng.string(43, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_');
    case 'code_challenge_method': return rng.pick(['S256', 'plain', 's256']);
    case 'grant_type': return rng.pick(['client_credentials', 'authorization_code', 'refresh_token', 'password', 'implicit']);
    case 'client_secret': return rng.chance(0.5) && client.secret ? client.secret : `af_cs_${rng.string(20, 'abc')}`;
    case 'identifier': case 'username': case 'email': case 'login_hint': return rng.chance(0.5) ? k.user.email : `${rng.string(6, 'abc')}@example.com`;
    case 'password': case 'current_password': case 'new_password': case 'confirm_password': return rng.chance(0.3) ? k.user.password : rng.string(rng.int(0, 80), 'abc123 !é');
    case 'token': case 'access_token': case 'id_token_hint': case 'refresh_token': case 'code': {
      const token = k.tokens.length ? rng.pick(k.tokens) : 'x';
      return rng.pick([token, token.slice(0, -2), `${token}x`, token.split('.').slice(0, 2).join('.') + '.', rng.string(43, 'abcdefghijklmnopqrstuvwxyz0123456789-_')]);
    }
    case 'client_assertion': return k.assertions.length ? rng.pick(k.assertions) : 'x';
    case 'client_assertion_type': return rng.pick(['urn:ietf:params:oauth:client-assertion-type:jwt-bearer', 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer']);
    case 'max_age': case 'limit': return String(rng.pick([0, 1, -1, 100, 1e9, 3.5]));
    case 'claims': return rng.pick(['{"userinfo":{"email":null}}', '{"id_token":{"acr":{"essential":true}}}', '{"userinfo":', '[]', '{"__proto__":{"x":1}}']);
    default: {
      const seen = Object.hasOwn(k.fields, name) ? k.fields[name] : undefined;
      if (seen?.length && rng.chance(0.8)) return rng.pick(seen);
      return rng.string(rng.int(0, 24), 'abcdefghijklmnopqrstuvwxyz0123456789-_.');
    }
  }
}

function junkAuthorization(rng: Random, k: Knowledge, tags: string[]): string {
  tags.push('auth');
  const client = rng.pick(k.clients);
  const token = k.tokens.length ? rng.pick(k.tokens) : 'x.y.z';
  if (rng.chance(0.3)) return rng.pick([`Bearer ${token}`, `bearer ${token}`, `Bearer ${token.slice(0, -3)}`, `Bearer ${token.replace(/\.[^.]*$/, '.')}`, `DPoP ${token}`, `Bearer ${token} ${token}`]);
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return rng.pick([
    'Bearer', 'Bearer ', 'Bearer  x', 'bearer af_x', `Bearer ${k.adminKey}x`, `Bearer ${k.adminKey.slice(0, -1)}`, `Bearer ${k.adminKey.toUpperCase()}`,
    'Bearer af_live_' + 'x'.repeat(60), `Bearer ${'A'.repeat(8000)}`, 'Basic', 'Basic ', 'Basic !!!', 'Basic ' + b64('nocolon'), 'Basic ' + b64(':'),
    'Basic ' + b64(`${client.id}:${client.secret ?? ''}`), 'Basic ' + b64(`${client.id}:wrong`), 'Basic ' + b64(`${encodeURIComponent(client.id)}:%zz`),
    'Basic ' + b64('%:%'), 'Basic ' + b64(`${client.id}:${'s'.repeat(5000)}`), 'Basic ' + b64('é:ü'), 'Basic ' + Buffer.from([0xff, 0x3a, 0xfe]).toString('base64'),
    'Basic =', 'Basic ====', 'DPoP abc', 'Digest username="x"', 'Negotiate YII=', 'Bearer a b c', `Bearer ${k.tenantKey},Bearer ${k.adminKey}`, 'x'.repeat(3000),
    'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.', 'Bearer eyJhbGciOiJFUzI1NiIsImtpZCI6Ii4uLy4uIn0.e30.AAAA', 'Bearer eyJ' + 'A'.repeat(2000) + '.e30.x',
  ]);
}

function cookies(rng: Random, k: Knowledge, tags: string[]): string {
  const jar: string[] = [];
  if (k.cookies.length && rng.chance(0.8)) for (const c of k.cookies) if (rng.chance(0.6)) jar.push(c);
  if (rng.chance(0.3)) {
    tags.push('cookie');
    const names = ['af_main', `af_ix_${k.params.interaction?.[0] ?? 'x'}`, 'af_csrf', '__Host-af_main', 'af_device', 'x'];
    jar.push(...Array.from({ length: rng.int(1, 4) }, () => `${rng.pick(names)}=${rng.pick(['', '=', '%zz', 'a.b', 'a.b.c', 'x'.repeat(rng.int(100, 6000)), '"quoted"', 'é', '\u0000', 'a;b', 'af_s_' + 'A'.repeat(43), '{}'])}`));
  }
  if (rng.chance(0.05)) {
    tags.push('many-cookies');
    for (let i = 0; i < rng.int(50, 800); i++) jar.push(`c${i}=${i}`);
  }
  return jar.join(rng.chance(0.9) ? '; ' : rng.pick([';', ',', ';;', ' ; ']));
}

function extraHeaders(rng: Random, k: Knowledge, tags: string[]): [string, string][] {
  tags.push('headers');
  const out: [string, string][] = [];
  for (let i = 0; i < rng.int(1, 4); i++) {
    out.push(rng.pick<[string, string]>([
      ['Origin', rng.pick(['https://rp.example', 'https://evil.example', 'null', '', 'https://rp.example:99999', '*'])],
      ['Access-Control-Request-Method', rng.pick(['POST', 'DELETE', 'X', ''])],
      ['Access-Control-Request-Headers', rng.pick(['authorization', 'x-' + 'a'.repeat(500), ',,,', ''])],
      ['X-Request-Id', rng.pick(['x', 'a'.repeat(5000), '../../', '\x01', 'é'])],
      ['X-Forwarded-For', rng.pick(['1.2.3.4', 'unknown', '::1, 1.1.1.1', '999.999.1.1', 'a'.repeat(2000), ','])],
      ['X-Forwarded-Host', rng.pick(['evil.example', 'x:99999', '[zz'])],
      ['X-Forwarded-Proto', rng.pick(['https', 'gopher', ''])],
      ['Forwarded', rng.pick(['for=1.2.3.4;proto=https;host=evil.example', 'for="[::1', ';;;'])],
      ['Accept', rng.pick(['*/*', 'application/json', 'text/html', 'application/jwt', '', 'x/'.repeat(500), 'application/json;q=abc'])],
      ['Accept-Language', rng.pick(['en', 'fr-CA,fr;q=0.9', '*', 'q=;;;', 'x'.repeat(3000)])],
      ['Accept-Encoding', rng.pick(['gzip', 'br', 'identity;q=0', '*;q=0'])],
      ['If-Match', rng.pick(['"x"', '*', 'W/"1"', '', 'garbage', '"' + 'a'.repeat(1000)])],
      ['If-None-Match', rng.pick(['"x"', '*', 'W/', ''])],
      ['Range', rng.pick(['bytes=0-1', 'bytes=-1', 'bytes=9-1', 'lines=1'])],
      ['Expect', rng.pick(['100-continue', 'x'])],
      ['Content-Encoding', rng.pick(['gzip', 'deflate', 'br', 'zstd', 'x'])],
      ['Referer', rng.pick(['https://evil.example', '%zz', ''])],
      ['User-Agent', rng.pick(['', 'x'.repeat(8000), '\xff\xfe', 'Mozilla/5.0'])],
      ['DPoP', rng.pick(['eyJ.e30.x', ''])],
      ['Sec-Fetch-Site', rng.pick(['cross-site', 'same-origin', 'none'])],
      ['Upgrade', rng.pick(['websocket', 'h2c'])],
      ['Cookie2', '$Version=1'],
      ['Header-' + rng.string(5, 'abc'), rng.string(rng.int(0, 100), 'abc =;,')],
      [rng.pick(['Bad Header', 'X:Y', '', 'é', 'X\x01']), 'v'],
      ['X-Big', 'v'.repeat(rng.int(10_000, 20_000))],
      ['Authorization', `Bearer ${k.adminKey}`],
    ]));
  }
  return out;
}

type Body = { contentType?: string; bytes: Buffer };

function makeBody(rng: Random, method: string, isApi: boolean, route: string, k: Knowledge, tags: string[]): Body | undefined {
  const wantsBody = method === 'POST' || method === 'PUT' || method === 'PATCH' ? rng.chance(0.9) : rng.chance(0.08);
  if (!wantsBody) return undefined;
  const kind = rng.weighted<string>(isApi
    ? [[6, 'json'], [2, 'bad-json'], [1, 'deep-json'], [1, 'big-json'], [1, 'form'], [1, 'binary'], [1, 'empty']]
    : [[7, 'form'], [1, 'bad-form'], [1, 'big-form'], [2, 'json'], [1, 'bad-json'], [1, 'binary'], [1, 'multipart'], [1, 'empty']]);
  tags.push(`body:${kind}`);
  let contentType: string | undefined = kind.includes('json') ? 'application/json' : kind.includes('form') ? 'application/x-www-form-urlencoded' : kind === 'multipart' ? 'multipart/form-data; boundary=xyz' : rng.pick([undefined, 'application/octet-stream']);
  if (rng.chance(0.15)) {
    contentType = rng.pick([undefined, '', 'text/plain', 'application/json', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded; charset=latin1', 'multipart/form-data', 'application/merge-patch+json', 'application/jwt', ';;;', 'x'.repeat(2000), 'application/json, text/html']);
    tags.push('content-type-lie');
  }
  let text: string | Buffer;
  switch (kind) {
    case 'json': text = JSON.stringify(jsonBody(rng, route, k)); break;
    case 'bad-json': text = rng.pick(['{', '{"a":', '{"a":1,}', "{'a':1}", '[1,2', 'nul', '"\\ud800"', '{"a":"\\x"}', '1'.repeat(400), '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{}}}', '\uFEFF{}', '{"a":1}{"b":2}', 'NaN', '{"a":1e99999}']); break;
    case 'deep-json': { const d = rng.int(20, 5000); text = rng.chance(0.5) ? `${'['.repeat(d)}${']'.repeat(d)}` : `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`; break; }
    case 'big-json': text = JSON.stringify({ name: 'n'.repeat(rng.int(1000, 300_000)), list: Array.from({ length: rng.int(0, 3000) }, (_, i) => i) }); break;
    case 'form': text = query(rng, k, tags, route); break;
    case 'bad-form': text = rng.pick(['%', '%zz=1', '=&=&=', '&&&&', 'a=%ff%fe', 'a=\u0000', 'a==b', '+=+', 'a[b][c]=1&a[b]=2', 'csrf=1&csrf=2&csrf=3']); break;
    case 'big-form': text = Array.from({ length: rng.int(100, 5000) }, (_, i) => `${rng.pick(OAUTH_PARAMS)}=${i}`).join('&') + `&x=${'y'.repeat(rng.int(0, 200_000))}`; break;
    case 'binary': text = rng.bytes(rng.int(1, 4000)); break;
    case 'multipart': text = '--xyz\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n--xyz--\r\n'; break;
    default: text = '';
  }
  return { contentType, bytes: typeof text === 'string' ? Buffer.from(text, 'utf8') : text };
}

function jsonBody(rng: Random, route: string, k: Knowledge): unknown {
  const client = rng.pick(k.clients);
  const base: Record<string, unknown> =
    route.endsWith('/clients') || route.includes('/clients/:') ? clientBody(rng, client.redirectUri)
    : route.endsWith('/users') || route.includes('/users/:') ? { email: rng.pick(['a@example.com', k.user.email, 'not-an-email', '']), password: rng.pick(['', 'short', 'a long enough password 123']) }
    : route.includes('/api-keys') ? { name: 'k', tenant: rng.pick([k.scratchTenant, null, 'nope']), scopes: rng.pick([['users:read'], ['*'], [], ['nope']]) }
    : route.endsWith('/tenants') ? { slug: rng.pick(['t' + rng.string(6, 'abcdef'), '', 'A B', '..', 'main']) }
    : route.includes('/tenants/:tenant') ? { settings: rng.pick([{}, { token_lifetimes: { access: -1 } }, null, [], { theme: { color: '<x>' } }]) }
    : {};
  for (let i = 0; i < rng.int(0, 3); i++) {
    base[rng.pick(['name', 'email', 'scopes', 'settings', 'slug', '__proto__', 'constructor', 'type', 'password', 'extra'])] = rng.pick<unknown>([null, 1, -1, 1e308, '', 'x'.repeat(rng.int(0, 2000)), [], {}, [null], { a: { b: { c: {} } } }, true, '\u0000', '\ud800']);
  }
  return rng.chance(0.1) ? rng.pick<unknown>([[base], 'string', 42, null, true]) : base;
}

/** Client metadata with the fields whose parsing goes deepest: URIs, key sets, algorithms, lifetimes. */
function clientBody(rng: Random, redirectUri: string): Record<string, unknown> {
  const uri = () => rng.pick([redirectUri, 'http://x', 'javascript:1', '', 'https://', 'https://[::1', 'https://a:99999/cb', 'https://ex.com/cb#f', 'custom.scheme:/cb', 'http://localhost:0/', 'https://ex.com/%zz', 'https://ü.example/cb', 'x'.repeat(3000)]);
  const jwk = () => rng.pick<unknown>([
    { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'BBBB' }, { kty: 'EC', crv: 'P-999', x: '', y: '' }, { kty: 'RSA', n: 'AQAB', e: 'AQAB' }, { kty: 'RSA', n: '', e: '' },
    { kty: 'OKP', crv: 'Ed25519', x: '!!!' }, { kty: 'oct', k: 'AAAA' }, { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: '../../x', alg: 'none' },
    { kty: 'EC' }, {}, null, 'string', { kty: 'RSA', n: 'A'.repeat(20000), e: 'AQAB' },
  ]);
  const body: Record<string, unknown> = { name: 'c', type: rng.pick(['confidential', 'public', 'x']) };
  if (rng.chance(0.7)) body.redirect_uris = Array.from({ length: rng.int(0, 3) }, uri);
  if (rng.chance(0.3)) body.post_logout_redirect_uris = [uri()];
  if (rng.chance(0.3)) body.cors_origins = [rng.pick(['https://rp.example', 'https://rp.example/', 'null', '*', 'https://a:99999', 'file://', ''])];
  if (rng.chance(0.3)) body.token_endpoint_auth_method = rng.pick(['private_key_jwt', 'client_secret_jwt', 'client_secret_basic', 'none', 'tls_client_auth', 'x']);
  if (rng.chance(0.3)) body.jwks = rng.pick<unknown>([{ keys: [jwk()] }, { keys: [] }, { keys: jwk() }, null, [], { keys: [jwk(), jwk()] }]);
  if (rng.chance(0.2)) body.jwks_uri = rng.pick(['https://rp.example/jwks', 'http://rp.example/jwks', 'file:///etc/passwd', 'https://127.0.0.1/jwks', '']);
  if (rng.chance(0.2)) body.id_token_signed_response_alg = rng.pick(['RS256', 'ES256', 'EdDSA', 'none', 'HS256', '']);
  if (rng.chance(0.2)) body.access_token_ttl = rng.pick([60, 59, 0, -1, 1e20, 3.5, '60', null]);
  if (rng.chance(0.2)) body.grant_types = rng.pick([['client_credentials'], ['implicit'], [], ['refresh_token'], 'authorization_code']);
  if (rng.chance(0.2)) body.scopes = rng.pick([['openid'], [''], ['x'.repeat(100)], Array.from({ length: 200 }, (_, i) => `s${i}`)]);
  if (rng.chance(0.1)) body.audiences = rng.pick([['https://api.example'], [''], 'x']);
  if (rng.chance(0.1)) body.first_party = rng.pick([true, 'yes', 1]);
  return body;
}

/** Message framing (RFC 9112 §6): the declared length and the body sent may disagree. */
function frame(rng: Random, body: Body | undefined, tags: string[]): { headers: [string, string][]; bytes: Buffer; truncated: boolean } {
  const headers: [string, string][] = [];
  if (body?.contentType !== undefined) headers.push(['Content-Type', body.contentType]);
  const bytes = body?.bytes ?? Buffer.alloc(0);
  const kind = rng.weighted<string>([[20, 'length'], [2, 'chunked'], [1, 'bad-chunked'], [1, 'short'], [1, 'long'], [1, 'none'], [1, 'both'], [1, 'bad-length'], [1, 'double-length']]);
  if (kind !== 'length') tags.push(`framing:${kind}`);
  switch (kind) {
    case 'length':
      if (body) headers.push(['Content-Length', String(bytes.length)]);
      return { headers, bytes, truncated: false };
    case 'chunked': {
      headers.push(['Transfer-Encoding', 'chunked']);
      const parts: Buffer[] = [];
      for (let at = 0; at < bytes.length; ) {
        const n = Math.min(bytes.length - at, rng.int(1, 5000));
        parts.push(Buffer.from(`${n.toString(16)}\r\n`), bytes.subarray(at, at + n), Buffer.from('\r\n'));
        at += n;
      }
      parts.push(Buffer.from('0\r\n\r\n'));
      return { headers, bytes: Buffer.concat(parts), truncated: false };
    }
    case 'bad-chunked':
      headers.push(['Transfer-Encoding', rng.pick(['chunked', 'chunked, chunked', 'gzip, chunked', 'xchunked', 'chunked\t', 'identity'])]);
      return { headers, bytes: Buffer.concat([Buffer.from(rng.pick(['zz\r\n', '5\r\nab', 'fffffffffffffffff\r\n', '-1\r\n', '3;ext=\x01\r\nabc\r\n0\r\n\r\n', '0\r\nTrailer: x\r\n\r\n', ''])), bytes.subarray(0, 10)]), truncated: true };
    case 'short':
      headers.push(['Content-Length', String(bytes.length + rng.int(1, 100_000))]);
      return { headers, bytes, truncated: true };
    case 'long':
      headers.push(['Content-Length', String(Math.max(0, bytes.length - rng.int(1, 50)))]);
      return { headers, bytes, truncated: true };
    case 'none':
      return { headers, bytes, truncated: true };
    case 'both':
      headers.push(['Content-Length', String(bytes.length)], ['Transfer-Encoding', 'chunked']);
      return { headers, bytes, truncated: true };
    case 'bad-length':
      headers.push(['Content-Length', rng.pick(['-1', 'abc', '1e3', '0x10', ' ', '99999999999999999999', '1,2', '+5'])]);
      return { headers, bytes, truncated: true };
    default:
      headers.push(['Content-Length', String(bytes.length)], ['Content-Length', String(bytes.length + 1)]);
      return { headers, bytes, truncated: true };
  }
}
