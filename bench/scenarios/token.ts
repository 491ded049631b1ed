// client_credentials token requests, JWT ES256 access tokens: authflow vs
// oidc-provider vs the bare node:http ceiling.
import { check, loadTarget, type Context, type ScenarioResult } from '../context.ts';
import { basic, FORM, request } from '../http.ts';
import { interleave } from '../measure.ts';

export function tokenRequest(url: string, clientId: string, secret: string) {
  return { url, method: 'POST' as const, headers: { 'content-type': FORM, authorization: basic(clientId, secret) }, body: 'grant_type=client_credentials' };
}

/** One token, checked: 200 and an ES256 JWT. */
export async function clientCredentialsToken(url: string, clientId: string, secret: string, extra = ''): Promise<string> {
  const r = await request(url, { method: 'POST', headers: { 'content-type': FORM, authorization: basic(clientId, secret) }, body: `grant_type=client_credentials${extra}` });
  check(r.status === 200, `POST ${url}`, `${r.status} ${r.text}`);
  return (JSON.parse(r.text) as { access_token: string }).access_token;
}

function jwtAlg(token: string): string | undefined {
  try {
    return (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { alg?: string }).alg;
  } catch {
    return undefined;
  }
}

export async function tokenScenario(ctx: Context): Promise<ScenarioResult> {
  const af = ctx.authflow;
  const peers = [
    { name: 'authflow', pid: af.proc.pid, url: `${af.issuer}/token`, id: af.provisioned.cc.id, secret: af.provisioned.cc.secret },
    { name: 'oidc-provider', pid: ctx.oidcProvider.pid, url: `${ctx.oidcProvider.url}/token`, id: ctx.oidcProvider.clientId, secret: ctx.oidcProvider.clientSecret },
    { name: 'ceiling', pid: ctx.ceiling.pid, url: `${ctx.ceiling.url}/token`, id: ctx.ceiling.clientId, secret: ctx.ceiling.clientSecret },
  ];
  for (const p of peers) {
    const token = await clientCredentialsToken(p.url, p.id, p.secret);
    check(jwtAlg(token) === 'ES256', `${p.name} access token`, `alg ${jwtAlg(token)} (expected an ES256 JWT)`);
  }
  const targets = peers.map((p) => ({ name: p.name, pid: p.pid, req: tokenRequest(p.url, p.id, p.secret) }));
  ctx.progress('client_credentials token (JWT ES256)');
  const results = await interleave(
    targets.map((t) => loadTarget(ctx, t.name, t.pid, t.req)),
    ctx.opts.timing,
    ctx.progress,
  );
  return { id: 'token', title: 'client_credentials token (JWT ES256 access token)', unit: 'req/s', targets: results, notes: [] };
}
