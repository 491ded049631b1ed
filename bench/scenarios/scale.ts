// The same token and login figures on a large database (many users and
// tenants) as on the empty one, interleaved: two authflow servers run side by
// side, only one under load at a time.
import { type Context, loadTarget, type ScenarioResult } from '../context.ts';
import { scaleDataset, type DatasetSize } from '../dataset.ts';
import { interleave } from '../measure.ts';
import { serveAuthflow, type AuthflowServer, type Provisioned } from '../peers/authflow.ts';
import { memory } from '../system.ts';
import { coldStartScenario, type ColdStart } from './cold-start.ts';
import { loginRuns, loginTiming } from './login.ts';
import { tokenRequest } from './token.ts';

export interface ScaleResult {
  readonly size: DatasetSize;
  readonly dbMiB: number;
  readonly cached: boolean;
  readonly generateSeconds: number | null;
  readonly token: ScenarioResult;
  readonly login: ScenarioResult;
  readonly coldStart: ColdStart;
  readonly idleRssMiB: number | null;
}

export async function scaleScenario(ctx: Context, size: DatasetSize): Promise<ScaleResult> {
  const label = `${size.users.toLocaleString('en')} users, ${size.tenants.toLocaleString('en')} tenants`;
  ctx.progress(`scale: ${label} vs an empty database`);
  const ds = await scaleDataset({ root: ctx.root, binary: ctx.binary, env: ctx.env, size, runDir: ctx.runDir, progress: ctx.progress });
  ctx.progress(`  data set ${ds.cached ? 'from the cache' : `generated in ${ds.generateSeconds?.toFixed(0)} s`} (${ds.dbMiB.toFixed(0)} MiB SQLite file)`);
  const coldStart = await coldStartScenario(ctx, ds.dataDir, 'scale', Math.min(5, ctx.opts.coldStarts));
  const big = await serveAuthflow(ctx.binary, ctx.env, ds.dataDir, ctx.runDir, 'authflow-scale');
  try {
    await new Promise((r) => setTimeout(r, 500));
    const idleRssMiB = memory(big.proc.pid)?.rssMiB ?? null;
    const servers: [string, AuthflowServer, Provisioned][] = [
      ['empty', ctx.authflow, ctx.authflow.provisioned],
      ['scale', big, ds.provisioned],
    ];
    ctx.progress('  client_credentials token, empty vs scale');
    const token = await interleave(
      servers.map(([name, s, p]) => loadTarget(ctx, name, s.proc.pid, tokenRequest(`${s.issuer}/token`, p.cc.id, p.cc.secret))),
      ctx.opts.timing,
      ctx.progress,
    );
    ctx.progress('  full sign-in, empty vs scale');
    const login = await interleave(
      servers.map(([name, s, p]) => loginRuns(name, s, p, ctx.opts.loginConcurrency)),
      loginTiming(ctx.opts.timing),
      ctx.progress,
    );
    return {
      size,
      dbMiB: ds.dbMiB,
      cached: ds.cached,
      generateSeconds: ds.generateSeconds,
      token: { id: 'scale-token', title: `client_credentials token: empty database vs ${label}`, unit: 'req/s', targets: token, notes: [] },
      login: { id: 'scale-login', title: `full sign-in: empty database vs ${label}`, unit: 'logins/s', targets: login, notes: [] },
      coldStart,
      idleRssMiB,
    };
  } finally {
    await big.proc.stop();
  }
}
