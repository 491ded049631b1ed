// The cacheable GET documents: JWKS and discovery, authflow vs oidc-provider.
import { check, loadTarget, type Context, type ScenarioResult } from '../context.ts';
import { request } from '../http.ts';
import { interleave } from '../measure.ts';

async function documentScenario(ctx: Context, id: string, title: string, paths: { authflow: string; oidcProvider: string }): Promise<ScenarioResult> {
  const targets = [];
  for (const [name, pid, url] of [
    ['authflow', ctx.authflow.proc.pid, `${ctx.authflow.issuer}${paths.authflow}`],
    ['oidc-provider', ctx.oidcProvider.pid, `${ctx.oidcProvider.url}${paths.oidcProvider}`],
  ] as const) {
    const r = await request(url);
    check(r.status === 200 && r.text.startsWith('{'), `${name} ${id}`, `${r.status} ${r.text}`);
    targets.push(loadTarget(ctx, name, pid, { url, method: 'GET' }));
  }
  ctx.progress(title);
  return { id, title, unit: 'req/s', targets: await interleave(targets, ctx.opts.metadataTiming, ctx.progress), notes: [] };
}

export async function metadataScenarios(ctx: Context): Promise<ScenarioResult[]> {
  return [
    await documentScenario(ctx, 'jwks', 'JWKS', { authflow: '/jwks', oidcProvider: '/jwks' }),
    await documentScenario(ctx, 'discovery', 'discovery document', { authflow: '/.well-known/openid-configuration', oidcProvider: '/.well-known/openid-configuration' }),
  ];
}
