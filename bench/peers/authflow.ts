// authflow as the bench sees it: the built binary, its CLI and HTTP only.
// A data dir is initialised and provisioned with the CLI (a tenant, a
// client_credentials client, a first-party web client, a user with a real
// argon2id password at the default cost), then `serve` runs on a loopback
// port that is also its public URL.
import { spawn } from 'node:child_process';
import { chmodSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, start, untilOk, type Running } from '../child.ts';

export const TENANT = 'bench';
export const REDIRECT_URI = 'http://127.0.0.1:9/callback';
export const USER_EMAIL = 'ada@bench.example';
export const USER_PASSWORD = 'correct horse battery staple';

export interface Provisioned {
  readonly adminKey: string;
  readonly cc: { readonly id: string; readonly secret: string };
  readonly web: { readonly id: string; readonly secret: string };
  readonly user: { readonly email: string; readonly password: string };
}

export interface AuthflowServer {
  readonly proc: Running;
  readonly url: string;
  readonly issuer: string;
  readonly port: number;
}

/** The environment of every authflow process: nothing inherited (no NODE_OPTIONS), JSON logs, addons unpacked once into the bench cache. */
export function authflowEnv(cacheDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: '/usr/bin:/bin', AUTHFLOW_CACHE_DIR: cacheDir, AUTHFLOW_LOG_FORMAT: 'json', ...extra };
}

/** Runs one CLI command with --json and returns its document. */
export function cli<T = Record<string, unknown>>(binary: string, env: NodeJS.ProcessEnv, dataDir: string, args: readonly string[], stdin?: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['--data-dir', dataDir, '--json', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`authflow ${args.join(' ')} exited with ${code}: ${err || out}`));
      resolve(JSON.parse(out) as T);
    });
    child.stdin.end(stdin ?? '');
  });
}

/** `init` + tenant, clients and user through the CLI. */
export async function provision(binary: string, env: NodeJS.ProcessEnv, dataDir: string): Promise<Provisioned> {
  // The public URL is set per `serve` (AUTHFLOW_PUBLIC_URL), when the port is known.
  const init = await cli<{ admin_api_key: string }>(binary, env, dataDir, ['init', '--non-interactive', '--public-url', 'http://127.0.0.1:8080']);
  // Long-lived access tokens: the userinfo and introspection runs reuse one.
  await cli(binary, env, dataDir, ['tenant', 'create', TENANT, '--name', 'Bench', '--set', 'access_token_ttl=3600']);
  type Created = { client_id: string; client_secret: string };
  const cc = await cli<Created>(binary, env, dataDir, ['client', 'create', '--tenant', TENANT, '--name', 'machine', '--grant', 'client_credentials', '--auth-method', 'client_secret_basic']);
  const web = await cli<Created>(binary, env, dataDir, ['client', 'create', '--tenant', TENANT, '--name', 'web', '--redirect-uri', REDIRECT_URI, '--grant', 'authorization_code', '--first-party']);
  await cli(binary, env, dataDir, ['user', 'create', '--tenant', TENANT, '--email', USER_EMAIL, '--name', 'Ada Bench', '--email-verified', '--password-stdin'], USER_PASSWORD);
  return {
    adminKey: init.admin_api_key,
    cc: { id: cc.client_id, secret: cc.client_secret },
    web: { id: web.client_id, secret: web.client_secret },
    user: { email: USER_EMAIL, password: USER_PASSWORD },
  };
}

/** `authflow serve --workers N` (1: one process) on a free loopback port (its public URL), ready when /readyz answers 200. */
export async function serveAuthflow(binary: string, env: NodeJS.ProcessEnv, dataDir: string, logDir: string, name: string, workers = 1, publicUrl?: string): Promise<AuthflowServer & { readyMs: number }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = ['--data-dir', dataDir, 'serve', '--host', '127.0.0.1', '--port', String(port), '--workers', String(workers)];
  // Another server of the same install may take the first one's public URL: then the tokens of either are valid at both.
  const proc = start(name, binary, args, { env: { ...env, AUTHFLOW_PUBLIC_URL: publicUrl ?? url }, log: join(logDir, `${name}.log`) });
  const readyMs = await untilOk(proc, `${url}/readyz`, 30_000, 5);
  return { proc, url, issuer: `${url}/t/${TENANT}`, port, readyMs };
}

/** A copy of a data dir with the modes serve insists on (0700: it refuses a dir others can read). */
export function copyDataDir(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
  chmodSync(to, 0o700);
}
