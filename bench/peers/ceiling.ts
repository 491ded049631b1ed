// The ceiling: bare node:http doing only what the figure needs, run as its
// own process by the bench.
//   POST /token      client_credentials: parse the form, Basic credentials, Map lookup of the
//                    client, SHA-256 of the secret compared in constant time, jose ES256 sign.
//   POST /introspect the same client authentication, then jose verify of its own JWT.
//   GET  /userinfo   jose verify of a bearer JWT (authflow's own access token, against authflow's JWKS).
// Env: BENCH_PORT, BENCH_CLIENT_ID, BENCH_CLIENT_SECRET, BENCH_USERINFO_JWKS (JSON), BENCH_USERINFO_ISSUER.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';

const port = Number(process.env.BENCH_PORT);
const issuer = `http://127.0.0.1:${port}`;
const sha256 = (s: string) => createHash('sha256').update(s).digest();
const clients = new Map([[process.env.BENCH_CLIENT_ID!, { secretHash: sha256(process.env.BENCH_CLIENT_SECRET!) }]]);

const { privateKey, publicKey } = await generateKeyPair('ES256');
const kid = 'ceiling-es256';
const ownKeys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256' }] });
const userinfoKeys = createLocalJWKSet(JSON.parse(process.env.BENCH_USERINFO_JWKS ?? '{"keys":[]}') as JSONWebKeySet);
const userinfoIssuer = process.env.BENCH_USERINFO_ISSUER ?? '';

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (s += c));
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, doc: unknown): void {
  const text = JSON.stringify(doc);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The client of a Basic Authorization header, if its secret matches. */
function authenticate(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(h.slice(6), 'base64').toString();
  const colon = decoded.indexOf(':');
  const id = decodeURIComponent(decoded.slice(0, colon));
  const client = clients.get(id);
  if (!client || !timingSafeEqual(sha256(decodeURIComponent(decoded.slice(colon + 1))), client.secretHash)) return undefined;
  return id;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = req.url ?? '/';
  if (req.method === 'POST' && path === '/token') {
    const form = new URLSearchParams(await body(req));
    const client = authenticate(req);
    if (!client) return json(res, 401, { error: 'invalid_client' });
    if (form.get('grant_type') !== 'client_credentials') return json(res, 400, { error: 'unsupported_grant_type' });
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ client_id: client })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
      .setIssuer(issuer)
      .setSubject(client)
      .setAudience(issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .setJti(randomBytes(16).toString('base64url'))
      .sign(privateKey);
    return json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
  }
  if (req.method === 'POST' && path === '/introspect') {
    const form = new URLSearchParams(await body(req));
    const client = authenticate(req);
    if (!client) return json(res, 401, { error: 'invalid_client' });
    try {
      const { payload } = await jwtVerify(form.get('token') ?? '', ownKeys, { issuer, typ: 'at+jwt', algorithms: ['ES256'] });
      return json(res, 200, payload.client_id === client ? { ...payload, active: true, token_type: 'Bearer' } : { active: false });
    } catch {
      return json(res, 200, { active: false });
    }
  }
  if (req.method === 'GET' && path === '/userinfo') {
    const h = req.headers.authorization;
    try {
      const { payload } = await jwtVerify(h?.startsWith('Bearer ') ? h.slice(7) : '', userinfoKeys, { issuer: userinfoIssuer, typ: 'at+jwt', algorithms: ['ES256'] });
      return json(res, 200, { sub: payload.sub });
    } catch {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' });
      return void res.end();
    }
  }
  if (path === '/readyz') return json(res, 200, { status: 'ready' });
  json(res, 404, { error: 'not_found' });
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => {
    if (!res.headersSent) json(res, 500, { error: 'server_error' });
  });
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
