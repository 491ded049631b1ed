// userinfo with a user's access token from a real sign-in: authflow vs a bare
// node:http handler that only verifies the same JWT against authflow's JWKS.
import { check, loadTarget, type Context, type ScenarioResult } from '../context.ts';
import { request } from '../http.ts';
import { interleave } from '../measure.ts';

export async function userinfoScenario(ctx: Context, userToken: string): Promise<ScenarioResult> {
  const af = ctx.authflow;
  const targets = [];
  for (const [name, pid, url] of [
    ['authflow', af.proc.pid, `${af.issuer}/userinfo`],
    ['ceiling', ctx.ceiling.pid, `${ctx.ceiling.url}/userinfo`],
  ] as const) {
    const req = { url, method: 'GET' as const, headers: { authorization: `Bearer ${userToken}` } };
    const r = await request(url, req);
    check(r.status === 200 && typeof (JSON.parse(r.text) as { sub?: unknown }).sub === 'string', `${name} userinfo`, `${r.status} ${r.text}`);
    targets.push(loadTarget(ctx, name, pid, req));
  }
  ctx.progress('userinfo');
  const results = await interleave(targets, ctx.opts.timing, ctx.progress);
  return { id: 'userinfo', title: 'userinfo (GET, bearer access token from a sign-in)', unit: 'req/s', targets: results, notes: ['The ceiling verifies the very same token against authflow\'s JWKS and answers {sub}.'] };
}
