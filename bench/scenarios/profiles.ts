// Where the time goes: each hot endpoint under load in a fresh
// `authflow serve --workers 1` with V8's CPU profiler on (--cpu-prof), then
// its heaviest self-time frames, named through the bundle's source map.
import { mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { check, type Context } from '../context.ts';
import { basic, FORM, request } from '../http.ts';
import { runLoad, type LoadSpec } from '../load.ts';
import { serveAuthflow, type AuthflowServer } from '../peers/authflow.ts';
import { loadBundleMap, summarizeProfile, type ProfileSummary } from '../profile.ts';
import { clientCredentialsToken, tokenRequest } from './token.ts';

export interface EndpointProfile extends ProfileSummary {
  readonly endpoint: string;
  readonly requests: number;
  /** Main-thread busy time per request (µs). */
  readonly busyUsPerRequest: number;
}

type Spec = Omit<LoadSpec, 'connections' | 'seconds'>;

export async function profileScenario(ctx: Context, userToken: string, seconds: number): Promise<EndpointProfile[]> {
  const cc = ctx.authflow.provisioned.cc;
  const bundle = loadBundleMap(join(ctx.root, 'build', 'authflow.cjs.map'), ctx.root);
  const endpoints: [string, (s: AuthflowServer) => Promise<Spec>][] = [
    ['token (client_credentials)', async (s) => tokenRequest(`${s.issuer}/token`, cc.id, cc.secret)],
    ['introspection', async (s) => {
      const token = await clientCredentialsToken(`${s.issuer}/token`, cc.id, cc.secret);
      return { url: `${s.issuer}/introspect`, method: 'POST', headers: { 'content-type': FORM, authorization: basic(cc.id, cc.secret) }, body: `token=${encodeURIComponent(token)}` };
    }],
    ['userinfo', async (s) => ({ url: `${s.issuer}/userinfo`, method: 'GET', headers: { authorization: `Bearer ${userToken}` } })],
    ['JWKS', async (s) => ({ url: `${s.issuer}/jwks`, method: 'GET' })],
    ['discovery', async (s) => ({ url: `${s.issuer}/.well-known/openid-configuration`, method: 'GET' })],
  ];
  const out: EndpointProfile[] = [];
  for (const [endpoint, specOf] of endpoints) {
    const dir = mkdtempSync(join(ctx.runDir, 'profile-'));
    ctx.progress(`profile: ${endpoint} (${seconds} s)`);
    const env = { ...ctx.env, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` };
    const server = await serveAuthflow(ctx.binary, env, ctx.authflow.dataDir, ctx.runDir, 'authflow-profile', 1, ctx.authflow.url);
    try {
      const spec = await specOf(server);
      const r = await request(spec.url, spec);
      check(r.status === 200, `profile ${endpoint}`, `${r.status} ${r.text}`);
      const load = await runLoad(ctx.tool, { ...spec, connections: ctx.opts.connections, seconds }, ctx.runDir);
      await server.proc.stop();
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
      if (!file) throw new Error(`profile ${endpoint}: no .cpuprofile written`);
      const summary = summarizeProfile(join(dir, file), 10, bundle);
      out.push({ endpoint, requests: load.requests, busyUsPerRequest: load.requests ? (summary.busyMs * 1000) / load.requests : NaN, ...summary });
    } finally {
      await server.proc.stop();
    }
  }
  return out;
}
