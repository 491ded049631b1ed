// Full sign-ins (authorization code + PKCE, hosted login form with a real
// argon2id password at the default cost, code exchange; discovery excluded)
// vs the machine's raw argon2id hash rate at the same parameters, measured
// in the same run, interleaved.
import { join } from 'node:path';
import { runJson } from '../child.ts';
import type { Context, ScenarioResult } from '../context.ts';
import { interleave, type RunFigures, type Target, type Timing } from '../measure.ts';
import type { LoginTarget } from '../oidc-login.ts';
import { REDIRECT_URI, type AuthflowServer, type Provisioned } from '../peers/authflow.ts';

/** authflow's default argon2id cost (README, Configuration: argon2.*). */
export const DEFAULT_ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
/** Hashes in flight for the raw rate: "2+ concurrent", as many as the login runs keep busy at most. */
const ARGON2_CONCURRENCY = 4;

const DRIVER = join(import.meta.dirname, '..', 'login-driver.ts');
const ARGON2 = join(import.meta.dirname, '..', 'argon2-rate.ts');

export function loginTarget(server: AuthflowServer, p: Provisioned): LoginTarget {
  return { issuer: server.issuer, clientId: p.web.id, clientSecret: p.web.secret, redirectUri: REDIRECT_URI, email: p.user.email, password: p.user.password };
}

/** The login driver (its own process) against one authflow server. */
export function loginRuns(name: string, server: AuthflowServer, p: Provisioned, concurrency: number): Target {
  return {
    name,
    pid: server.proc.pid,
    run: (seconds) => runJson<RunFigures>(process.execPath, [DRIVER, JSON.stringify({ target: loginTarget(server, p), concurrency, seconds })], { timeoutMs: (seconds + 60) * 1000 }),
  };
}

export function argon2Runs(): Target {
  return {
    name: 'argon2id raw',
    pid: 0,
    run: (seconds) => runJson<RunFigures>(process.execPath, [ARGON2, JSON.stringify({ seconds, concurrency: ARGON2_CONCURRENCY, ...DEFAULT_ARGON2 })], { timeoutMs: (seconds + 60) * 1000 }),
  };
}

export function loginTiming(t: Timing): Timing {
  // A login takes tens of milliseconds: give each run a little longer than the request scenarios.
  return { ...t, seconds: Math.max(t.seconds, 3) };
}

export async function loginScenario(ctx: Context): Promise<ScenarioResult> {
  ctx.progress(`full authorization-code + PKCE sign-in (${ctx.opts.loginConcurrency} browsers) vs raw argon2id (${ARGON2_CONCURRENCY} in flight)`);
  const results = await interleave([loginRuns('authflow', ctx.authflow, ctx.authflow.provisioned, ctx.opts.loginConcurrency), argon2Runs()], loginTiming(ctx.opts.timing), ctx.progress);
  return {
    id: 'login',
    title: 'full sign-in: /authorize → login page → password (argon2id m=19456 t=2 p=1) → code exchange',
    unit: 'logins/s',
    targets: results,
    notes: [
      `Each login: GET /authorize, GET login page, POST the form, POST /token (code + PKCE verifier), from a fresh cookie jar (no SSO), ${ctx.opts.loginConcurrency} browsers in parallel; the driver's CPU shows as the load generator's.`,
      `"argon2id raw" is @node-rs/argon2 hashing with the same parameters, ${ARGON2_CONCURRENCY} in flight, in its own process (its CPU shows in the load column).`,
    ],
  };
}
