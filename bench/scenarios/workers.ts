// `serve --workers 1` against `serve --workers 2` on the same install (one
// SQLite file): the token endpoint and userinfo, interleaved. CPU and memory
// of the second are its whole process tree (primary and workers).
import { check, loadTarget, type Context, type ScenarioResult } from '../context.ts';
import { request } from '../http.ts';
import { interleave } from '../measure.ts';
import { serveAuthflow, type AuthflowServer } from '../peers/authflow.ts';
import { memory } from '../system.ts';
import { tokenRequest } from './token.ts';

export interface WorkersResult {
  readonly scenarios: readonly ScenarioResult[];
  /** RSS of `--workers 2`: idle and peak, in total and per process (the primary first). */
  readonly memory: { readonly idleMiB: number | null; readonly peakMiB: number | null; readonly processes: readonly { readonly idleMiB: number; readonly peakMiB: number }[] };
}

export async function workersScenario(ctx: Context, userToken: string): Promise<WorkersResult> {
  const one = ctx.authflow;
  const two: AuthflowServer = await serveAuthflow(ctx.binary, ctx.env, one.dataDir, ctx.runDir, 'authflow-workers-2', 2, one.url);
  await new Promise((r) => setTimeout(r, 1000));
  const idle = memory(two.proc.pid);
  const cc = one.provisioned.cc;
  const servers = [
    ['workers 1', one],
    ['workers 2', two],
  ] as const;
  const scenarios: ScenarioResult[] = [];
  for (const [id, title, req] of [
    ['workers-token', 'client_credentials token, --workers 1 vs 2', (s: AuthflowServer) => tokenRequest(`${s.issuer}/token`, cc.id, cc.secret)],
    ['workers-userinfo', 'userinfo, --workers 1 vs 2', (s: AuthflowServer) => ({ url: `${s.issuer}/userinfo`, method: 'GET' as const, headers: { authorization: `Bearer ${userToken}` } })],
  ] as const) {
    const targets = [];
    for (const [name, s] of servers) {
      const r = await request(req(s).url, req(s));
      check(r.status === 200, `${name} ${id}`, `${r.status} ${r.text}`);
      targets.push(loadTarget(ctx, name, s.proc.pid, req(s)));
    }
    ctx.progress(title);
    scenarios.push({ id, title, unit: 'req/s', targets: await interleave(targets, ctx.opts.timing, ctx.progress), notes: [] });
  }
  const peak = memory(two.proc.pid);
  await two.proc.stop();
  const processes = (idle?.processes ?? []).map((p) => ({ idleMiB: p.rssMiB, peakMiB: peak?.processes.find((q) => q.pid === p.pid)?.hwmMiB ?? NaN }));
  return { scenarios, memory: { idleMiB: idle?.rssMiB ?? null, peakMiB: peak?.hwmMiB ?? null, processes } };
}
