// npm run bench [-- --quick]: authflow side by side with oidc-provider and a
// bare node:http ceiling, in one run, on loopback; then `--workers 1` against
// `--workers 2`, and a CPU profile (top self-time frames) per hot endpoint;
// writes
// bench/results/<date>-<commit>.{json,md} and bench/results/latest.md, and
// prints the summary. authflow is a black box here: dist/authflow, its CLI
// and HTTP. Never part of npm test or CI; nothing here asserts on time.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ensureBinary } from './build.ts';
import { freePort, start, stopAll, untilOk } from './child.ts';
import type { Context, Peer, ScenarioResult } from './context.ts';
import { keepAliveAgent, request } from './http.ts';
import { wrkAvailable, wrkVersion, type LoadTool } from './load.ts';
import { median } from './measure.ts';
import { login } from './oidc-login.ts';
import { parseOptions, USAGE } from './options.ts';
import { authflowEnv, copyDataDir, provision, serveAuthflow } from './peers/authflow.ts';
import { markdown, noise, ratios, type MemoryFigures, type Report } from './report.ts';
import { coldStartScenario } from './scenarios/cold-start.ts';
import { introspectionScenario } from './scenarios/introspection.ts';
import { loginScenario, loginTarget } from './scenarios/login.ts';
import { metadataScenarios } from './scenarios/metadata.ts';
import { scaleScenario } from './scenarios/scale.ts';
import { tokenScenario } from './scenarios/token.ts';
import { userinfoScenario } from './scenarios/userinfo.ts';
import { profileScenario } from './scenarios/profiles.ts';
import { workersScenario } from './scenarios/workers.ts';
import { machine, memory } from './system.ts';

const root = dirname(import.meta.dirname);
const began = performance.now();
const progress = (line: string) => process.stdout.write(`[bench ${((performance.now() - began) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);

function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', 'src', 'bin', 'scripts', 'templates', 'package.json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return 'unknown';
  }
}

/** A node peer (oidc-provider or the ceiling) in its own process, ready when `readyPath` answers 200. */
async function startNodePeer(name: string, file: string, readyPath: string, runDir: string, env: Record<string, string>): Promise<Peer> {
  const port = await freePort();
  const clientId = `bench-${name}`;
  const clientSecret = `secret-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
  const proc = start(name, process.execPath, [join(import.meta.dirname, 'peers', file)], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production', BENCH_PORT: String(port), BENCH_CLIENT_ID: clientId, BENCH_CLIENT_SECRET: clientSecret, ...env },
    log: join(runDir, `${name}.log`),
  });
  const url = `http://127.0.0.1:${port}`;
  await untilOk(proc, `${url}${readyPath}`);
  return { url, pid: proc.pid, clientId, clientSecret, stop: () => proc.stop() };
}

async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 1000));
}

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (!opts) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const hasWrk = wrkAvailable();
  if (opts.tool === 'wrk' && !hasWrk) throw new Error('--load wrk: wrk is not installed (apt-get install wrk)');
  const tool: LoadTool = opts.tool ?? (hasWrk ? 'wrk' : 'autocannon');
  const binary = ensureBinary(root, opts.build, progress);
  const runDir = mkdtempSync(join(tmpdir(), 'authflow-bench-'));
  const env = authflowEnv(join(root, 'bench', '.cache', 'addons'));
  const mach = machine();
  progress(`${mach.cores} × ${mach.cpuModel}, Node ${mach.node}, load generator ${tool}; work dir ${runDir}`);

  // authflow: a fresh install, provisioned through the CLI; a pristine copy for the cold starts.
  const dataDir = join(runDir, 'empty-data');
  const provisioned = await provision(binary, env, dataDir);
  const pristine = join(runDir, 'empty-pristine');
  copyDataDir(dataDir, pristine);
  const ctxBase = { opts, tool, root, binary, env, runDir, progress };
  const coldStart = await coldStartScenario(ctxBase, pristine, 'empty', opts.coldStarts);

  const af = await serveAuthflow(binary, env, dataDir, runDir, 'authflow');
  const jwks = await request(`${af.issuer}/jwks`);
  const oidcProvider = await startNodePeer('oidc-provider', 'oidc-provider.ts', '/.well-known/openid-configuration', runDir, {});
  const ceiling = await startNodePeer('ceiling', 'ceiling.ts', '/readyz', runDir, { BENCH_USERINFO_JWKS: jwks.text, BENCH_USERINFO_ISSUER: af.issuer });
  await settle();
  const idle: Record<string, number | null> = {
    authflow: memory(af.proc.pid)?.rssMiB ?? null,
    'oidc-provider': memory(oidcProvider.pid)?.rssMiB ?? null,
    ceiling: memory(ceiling.pid)?.rssMiB ?? null,
  };
  const ctx: Context = { ...ctxBase, authflow: { ...af, provisioned, dataDir }, oidcProvider, ceiling };

  // A user's access token from one real sign-in, for userinfo.
  const userToken = (await login(loginTarget(af, provisioned), keepAliveAgent())).accessToken;

  const scenarios: ScenarioResult[] = [];
  scenarios.push(await tokenScenario(ctx));
  scenarios.push(await introspectionScenario(ctx));
  scenarios.push(await userinfoScenario(ctx, userToken));
  scenarios.push(await loginScenario(ctx));
  scenarios.push(...(await metadataScenarios(ctx)));

  const mem: Record<string, MemoryFigures> = {
    authflow: { idleMiB: idle.authflow ?? null, peakMiB: memory(af.proc.pid)?.hwmMiB ?? null },
    'oidc-provider': { idleMiB: idle['oidc-provider'] ?? null, peakMiB: memory(oidcProvider.pid)?.hwmMiB ?? null },
    ceiling: { idleMiB: idle.ceiling ?? null, peakMiB: memory(ceiling.pid)?.hwmMiB ?? null },
  };
  // The peers are done; the rest runs authflow servers only.
  await oidcProvider.stop();
  await ceiling.stop();
  const workers = await workersScenario(ctx, userToken);
  const scale = opts.scale ? await scaleScenario(ctx, opts.scale) : null;
  const profiles = await profileScenario(ctx, userToken, opts.profileSeconds);
  await stopAll();

  const all = [...scenarios, ...workers.scenarios, ...(scale ? [scale.token, scale.login] : [])];
  const loadCores = all.filter((s) => s.id !== 'login' && s.id !== 'scale-login').flatMap((s) => Object.values(s.targets).map((t) => t.cpu.load));
  const date = new Date().toISOString().slice(0, 10);
  const sha = commit();
  const report: Report = {
    version: 1,
    date,
    commit: sha,
    quick: opts.quick,
    durationSeconds: (performance.now() - began) / 1000,
    machine: mach,
    loadGenerator: { tool, version: tool === 'wrk' ? wrkVersion() : 'autocannon 9', connections: opts.connections, medianCores: median(loadCores) },
    timing: opts.timing,
    metadataTiming: opts.metadataTiming,
    scenarios,
    coldStart,
    memory: mem,
    scale,
    workers,
    profiles,
    ratios: ratios(scenarios, coldStart, mem, scale, workers),
    noise: noise(all),
  };
  const md = markdown(report);
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  // A --quick run never overwrites the full run of the same day and commit.
  const base = join(dir, `${date}-${sha}${opts.quick ? '-quick' : ''}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.md`, md);
  writeFileSync(join(dir, 'latest.md'), md);
  rmSync(runDir, { recursive: true, force: true });
  process.stdout.write(`\n${md}\n`);
  progress(`wrote ${relative(process.cwd(), `${base}.json`)}, ${relative(process.cwd(), `${base}.md`)} and ${relative(process.cwd(), join(dir, 'latest.md'))}`);
  return 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stopAll().finally(() => process.exit(130));
  });
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch(async (e: unknown) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
    await stopAll();
    process.exitCode = 1;
  });
