// Token introspection (RFC 7662) by the token's own client: authflow (its
// JWT access token) vs oidc-provider (an opaque token: it refuses to
// introspect its JWTs) vs the ceiling (client authentication + JWT verify).
import { check, loadTarget, type Context, type ScenarioResult } from '../context.ts';
import { basic, FORM, request } from '../http.ts';
import { interleave } from '../measure.ts';
import { clientCredentialsToken } from './token.ts';

export const OPAQUE_RESOURCE = 'urn:bench:opaque';

export async function introspectionScenario(ctx: Context): Promise<ScenarioResult> {
  const af = ctx.authflow;
  const op = ctx.oidcProvider;
  const peers = [
    { name: 'authflow', pid: af.proc.pid, base: af.issuer, endpoint: `${af.issuer}/introspect`, id: af.provisioned.cc.id, secret: af.provisioned.cc.secret, extra: '' },
    { name: 'oidc-provider', pid: op.pid, base: op.url, endpoint: `${op.url}/token/introspection`, id: op.clientId, secret: op.clientSecret, extra: `&resource=${encodeURIComponent(OPAQUE_RESOURCE)}` },
    { name: 'ceiling', pid: ctx.ceiling.pid, base: ctx.ceiling.url, endpoint: `${ctx.ceiling.url}/introspect`, id: ctx.ceiling.clientId, secret: ctx.ceiling.clientSecret, extra: '' },
  ];
  const targets = [];
  for (const p of peers) {
    const token = await clientCredentialsToken(`${p.base}/token`, p.id, p.secret, p.extra);
    const req = { url: p.endpoint, method: 'POST' as const, headers: { 'content-type': FORM, authorization: basic(p.id, p.secret) }, body: `token=${encodeURIComponent(token)}` };
    const r = await request(req.url, req);
    check(r.status === 200 && (JSON.parse(r.text) as { active?: boolean }).active === true, `${p.name} introspection`, `${r.status} ${r.text}`);
    targets.push(loadTarget(ctx, p.name, p.pid, req));
  }
  ctx.progress('introspection');
  const results = await interleave(targets, ctx.opts.timing, ctx.progress);
  return {
    id: 'introspection',
    title: 'introspection of an access token by its own client',
    unit: 'req/s',
    targets: results,
    notes: ['oidc-provider introspects an opaque token (it refuses JWTs); authflow and the ceiling verify an ES256 JWT.'],
  };
}
