// The built single binary, run the way an operator runs it: copied alone into
// an empty folder, with no Node.js, no node_modules and almost no environment.
// Build it first: npm run build && npm run test:e2e
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase, PG_URL } from '../helpers/db.ts';
import { rawRequest } from '../helpers/raw-http.ts';

const BUILT = join(import.meta.dirname, '..', '..', 'dist', 'authflow');
const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };

/** The whole environment of every run: no NODE_OPTIONS, no HOME, and no Node.js on the PATH. */
const ENV = { PATH: '/usr/bin:/bin' };

let work: string;
let binary: string;
const running = new Set<ChildProcess>();

beforeAll(() => {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run "npm run build" before "npm run test:e2e"`);
  work = mkdtempSync(join(tmpdir(), 'authflow-e2e-'));
  binary = join(work, 'authflow');
  copyFileSync(BUILT, binary);
  chmodSync(binary, 0o755);
});

afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Result {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

function track(args: readonly string[], env: Record<string, string>): { child: ChildProcess; done: Promise<Result>; stdout: () => string } {
  const started = performance.now();
  const child = spawn(binary, args, { cwd: work, env: { ...ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<Result>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
  return { child, done, stdout: () => stdout };
}

/** Runs the binary to completion (killed after `timeoutMs`). */
async function run(args: readonly string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Result> {
  const { child, done } = track(args, options.env ?? {});
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

interface Server {
  readonly url: string;
  readonly child: ChildProcess;
  /** Milliseconds from spawn to the listening log line. */
  readonly listeningMs: number;
  readonly startedAt: number;
  readonly done: Promise<Result>;
  stop(): Promise<Result>;
}

/** Starts `serve --port 0` and resolves with the URL from its "listening" log line. */
async function serve(dataDir: string, options: { env?: Record<string, string>; args?: readonly string[] } = {}): Promise<Server> {
  const startedAt = performance.now();
  const { child, done, stdout } = track(['--data-dir', dataDir, ...(options.args ?? []), 'serve', '--port', '0'], options.env ?? {});
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not log its URL within 15 s:\n${stdout()}`)), 15_000);
    const look = () => {
      for (const line of stdout().split('\n').slice(0, -1)) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg?.startsWith('authflow listening on') && entry.url) {
          clearTimeout(timer);
          child.stdout!.off('data', look);
          resolve(entry.url);
          return;
        }
      }
    };
    child.stdout!.on('data', look);
    void done.then((r) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${r.code ?? r.signal}) before listening:\n${r.stdout}${r.stderr}`));
    });
  });
  return {
    url,
    child,
    listeningMs: performance.now() - startedAt,
    startedAt,
    done,
    stop() {
      child.kill('SIGTERM');
      return done;
    },
  };
}

async function untilReady(url: string, deadlineMs = 10_000): Promise<void> {
  const deadline = performance.now() + deadlineMs;
  for (;;) {
    const r = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    if (r?.status === 200) return;
    if (performance.now() > deadline) throw new Error(`${url}/readyz did not answer 200 within ${deadlineMs} ms (last: ${r?.status})`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function init(dataDir: string, extra: readonly string[] = []): Promise<InitJson> {
  const r = await run(['--data-dir', dataDir, '--json', ...extra, 'init', '--non-interactive']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as InitJson;
}

interface InitJson {
  data_dir: string;
  database: string;
  tenant: { id: string; slug: string; issuer: string; discovery_url: string };
  admin_api_key: string;
}

const modeOf = (path: string) => statSync(path).mode & 0o777;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** name -> content hash and mode of every file in `dir` (for "nothing changed" checks). */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, `${sha256(readFileSync(join(dir, name)))} ${modeOf(join(dir, name)).toString(8)}`]));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('authflow single binary', () => {
  it('prints its version, commit and Node.js version', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    const line = r.stdout.trim();
    expect(line).toMatch(/^authflow (\S+) \(commit ([0-9a-f]{4,}|unknown), node (v\d+\.\d+\.\d+)\)$/);
    expect(line).toContain(`authflow ${pkg.version} (`);
    expect(line).not.toContain('commit dev');
    expect(line).toMatch(/node v24\./);
    console.log(`--version: ${line} in ${r.ms.toFixed(0)} ms`);
  });

  describe('init', () => {
    it('creates a private data dir and prints the tenant and the admin API key (--json)', async () => {
      const dataDir = join(work, 'init-json');
      const out = await init(dataDir);
      expect(out.database).toBe('sqlite');
      expect(out.tenant.slug).toBe('main');
      expect(out.tenant.issuer).toMatch(/^https?:\/\/[^/]+\/t\/main$/);
      expect(out.tenant.discovery_url).toBe(`${out.tenant.issuer}/.well-known/openid-configuration`);
      expect(out.admin_api_key).toMatch(/^af_/);
      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(join(dataDir, 'master.key'))).toBe(0o600);
    });

    it('refuses to overwrite an install (exit 4) and leaves its files as they were', async () => {
      const dataDir = join(work, 'init-twice');
      await init(dataDir);
      const before = snapshot(dataDir);
      const r = await run(['--data-dir', dataDir, 'init', '--non-interactive']);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/already holds an authflow install/);
      expect(snapshot(dataDir)).toEqual(before);
    });
  });

  it('doctor checks a fresh install, including an argon2id hash at the default cost (the embedded addon)', async () => {
    const dataDir = join(work, 'doctor');
    await init(dataDir);
    const r = await run(['--data-dir', dataDir, 'doctor', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const checks = (JSON.parse(r.stdout) as { checks: { name: string; status: string; detail: string }[] }).checks;
    const hashing = checks.find((c) => c.name === 'password hashing');
    expect(hashing?.status).toBe('ok');
    expect(hashing?.detail).toMatch(/^argon2id m=19456 t=2 p=1: \d+ ms per hash$/);
    expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
  });

  describe('serve', () => {
    let installed: string;
    beforeAll(async () => {
      installed = join(work, 'serve');
      await init(installed);
    });

    it('answers /healthz, /readyz and /metrics on the URL it logs (metrics.listen: main)', async () => {
      const server = await serve(installed, { env: { AUTHFLOW_METRICS_LISTEN: 'main' } });
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      const metrics = await fetch(`${server.url}/metrics`);
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toContain('authflow_http_requests_total');
      expect(text).toMatch(/^authflow_process_cpu_seconds_total \d/m);
      expect(text).toMatch(/^authflow_process_resident_memory_bytes \d/m);
      const r = await server.stop();
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
    });

    it('--workers 2: two workers share the port and the database, /metrics counts both, SIGTERM stops them all', async () => {
      const server = await serve(installed, { env: { AUTHFLOW_WORKERS: '2', AUTHFLOW_METRICS_LISTEN: 'main' } });
      await untilReady(server.url);
      const workers = readFileSync(`/proc/${server.child.pid}/task/${server.child.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
      expect(workers).toHaveLength(2);
      // Fresh connections, so that the primary hands them to both workers.
      for (let i = 0; i < 20; i++) expect((await rawRequest(server.url, `GET /healthz HTTP/1.1\r\nHost: ${new URL(server.url).host}`)).status).toBe(200);
      const text = await (await fetch(`${server.url}/metrics`)).text();
      expect(text).toMatch(/^authflow_http_requests_total\{method="GET",route="\/healthz",status="200"\} 20$/m);
      const r = await server.stop();
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout.match(/"msg":"authflow listening on /g)).toHaveLength(1);
      expect(r.stdout).toMatch(/"workers":2/);
      expect(r.stdout).toMatch(/"msg":"stopped"/);
      for (const pid of workers) expect(existsSync(`/proc/${pid}`)).toBe(false);
    });

    it('finishes an in-flight keep-alive request on SIGTERM, then exits 0 and logs "stopped"', async () => {
      const server = await serve(installed);
      const { hostname, port } = new URL(server.url);
      const socket = connect(Number(port), hostname);
      await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      let received = '';
      socket.setEncoding('utf8').on('data', (s: string) => (received += s));
      const closed = new Promise((resolve) => socket.once('close', resolve));

      // One full request makes it a keep-alive connection in use …
      socket.write(`GET /healthz HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
      await until(() => received.includes('{"status":"ok"}'));
      received = '';
      // … then a second one arrives in part, the signal comes, and the rest follows.
      socket.write(`GET /healthz HTTP/1.1\r\nHost: ${hostname}\r\n`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const signalledAt = performance.now();
      server.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      socket.write('\r\n');

      const r = await server.done;
      await closed;
      console.log(`SIGTERM to exit with a keep-alive client connected: ${(performance.now() - signalledAt).toFixed(0)} ms`);
      expect(received).toMatch(/^HTTP\/1\.1 200 /);
      expect(received).toContain('{"status":"ok"}');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/"msg":"stopped"/);
      expect(r.stderr).toBe('');
    });

    it('is ready soon after a cold start', async () => {
      const samples: { listening: number; ready: number }[] = [];
      for (let i = 0; i < 3; i++) {
        const server = await serve(installed);
        await untilReady(server.url);
        samples.push({ listening: server.listeningMs, ready: performance.now() - server.startedAt });
        expect((await server.stop()).code).toBe(0);
      }
      const readyMs = median(samples.map((s) => s.ready));
      console.log(`cold start to /readyz 200: median ${readyMs.toFixed(0)} ms (${samples.map((s) => `${s.listening.toFixed(0)}/${s.ready.toFixed(0)}`).join(', ')} ms listening/ready)`);
      // The target is < 500 ms on a 2-core machine; CI machines are noisy, so only a generous bound here.
      expect(readyMs).toBeLessThan(3000);
    });

    // Regression: a Host port above 65535 plus any %-escape killed the process; encoded dot segments reached
    // other routes, and DELETE …/clients/%2e%2e deleted the tenant (RFC 9112 §3.2, RFC 3986 §3.3).
    it('survives a malformed Host and never lets a dot segment re-target a request', async () => {
      const dataDir = join(work, 'front-door');
      const { admin_api_key: key } = await init(dataDir);
      const server = await serve(dataDir);
      const created = await fetch(`${server.url}/api/v1/tenants`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"slug":"victim"}' });
      expect(created.status).toBe(201);
      expect((await rawRequest(server.url, 'GET /healthz%41 HTTP/1.1\r\nHost: x:65536')).status).toBe(400);
      expect((await rawRequest(server.url, 'GET /t/main/userinfo HTTP/1.1\r\nHost: x:99999')).status).toBe(400);
      for (const target of ['/t/main/%2e%2e/%2e%2e/api/v1/openapi.json', '/healthz/%2e%2e/metrics', '/t/%6dain/jwks']) {
        expect((await rawRequest(server.url, `GET ${target} HTTP/1.1\r\nHost: localhost`)).status).toBe(400);
      }
      const del = await rawRequest(server.url, `DELETE /api/v1/tenants/victim/clients/%2e%2e HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${key}`);
      expect(del.status).toBe(400);
      expect((await fetch(`${server.url}/api/v1/tenants/victim`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const r = await server.stop();
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
    });

    it('refuses a data dir other users can read (exit 6) and says how to fix it', async () => {
      const dataDir = join(work, 'serve-open');
      await init(dataDir);
      chmodSync(dataDir, 0o755);
      const r = await run(['--data-dir', dataDir, 'serve', '--port', '0'], { timeoutMs: 15_000 });
      expect(r.code).toBe(6);
      expect(r.stderr).toContain(`chmod 700 ${dataDir}`);
    });

    it('names the file and line of a malformed authflow.yaml (exit 5)', async () => {
      const dataDir = join(work, 'serve-bad-yaml');
      cpSync(installed, dataDir, { recursive: true });
      chmodSync(dataDir, 0o700);
      const configFile = join(dataDir, 'authflow.yaml');
      writeFileSync(configFile, 'public_url: http://localhost:8080\nport: [\n');
      const r = await run(['--data-dir', dataDir, 'serve', '--port', '0'], { timeoutMs: 15_000 });
      expect(r.code).toBe(5);
      // The unclosed "[" is on line 2; the parser notices it at the start of line 3.
      expect(r.stderr).toMatch(new RegExp(`${escape(configFile)} line [23]\\b`));
    });
  });

  // Issue contract: an admin scripts a tenant with two clients, rotates its keys and an API key from the
  // shell with --json, and the same through the management API, against the binary.
  it('provisions from the shell (--json) and remotely through the management API with the same output', async () => {
    const dataDir = join(work, 'provision');
    const admin = (await init(dataDir)) as unknown as { admin_api_key: string };
    const cli = async (...args: string[]) => {
      const r = await run(['--data-dir', dataDir, '--json', ...args]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    const tenant = await cli('tenant', 'create', 'acme', '--name', 'Acme');
    expect(tenant).toMatchObject({ slug: 'acme', issuer: 'http://localhost:8080/t/acme', discovery_url: 'http://localhost:8080/t/acme/.well-known/openid-configuration' });
    const web = await cli('client', 'create', '--tenant', 'acme', '--name', 'web', '--redirect-uri', 'https://app.acme.example/cb');
    expect(web.client_secret).toMatch(/^af_cs_/);
    const machine = await cli('client', 'create', '--tenant', 'acme', '--name', 'billing', '--grant', 'client_credentials');
    expect(machine.grant_types).toEqual(['client_credentials']);
    const rotated = await cli('key', 'rotate', '--tenant', 'acme', '--alg', 'ES256', '--delay', '0');
    expect(rotated.key.status).toBe('active');
    const key = await cli('apikey', 'create', '--name', 'ci', '--tenant', 'acme', '--scope', 'clients:read', '--scope', 'tenants:read');
    expect(key.token).toMatch(/^af_live_/);

    const server = await serve(dataDir);
    try {
      const env = { AUTHFLOW_API_KEY: admin.admin_api_key };
      for (const args of [['tenant', 'show', 'acme'], ['client', 'list', '--tenant', 'acme'], ['key', 'list', '--tenant', 'acme']]) {
        const local = await run(['--data-dir', dataDir, '--json', ...args]);
        const remote = await run(['--url', server.url, '--json', ...args], { env });
        expect(remote.code, remote.stderr).toBe(0);
        expect(remote.stdout).toBe(local.stdout);
      }
      // The tenant-scoped key sees its clients and nothing of the instance.
      const scoped = await run(['--url', server.url, '--json', 'tenant', 'show', 'main'], { env: { AUTHFLOW_API_KEY: key.token } });
      expect(scoped.code).toBe(3);
      const res = await fetch(`${server.url}/api/v1/tenants/acme/clients`, { headers: { authorization: `Bearer ${key.token}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(2);
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
  });

  describe('usage and failures', () => {
    it('an unknown command exits 2 and suggests the closest one', async () => {
      const r = await run(['serv']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/unknown command 'serv'/);
      expect(r.stderr).toMatch(/Did you mean serve\?/);
    });

    it('init against an unreachable PostgreSQL fails within 10 s, says why, and leaves no data dir', async () => {
      const dataDir = join(work, 'pg-unreachable');
      const r = await run(['--data-dir', dataDir, '--database-url', 'postgres://postgres@127.0.0.1:1/none', 'init', '--non-interactive'], { timeoutMs: 20_000 });
      expect(r.code).not.toBe(0);
      expect(r.signal).toBeNull();
      expect(r.ms).toBeLessThan(10_000);
      expect(r.stderr).toMatch(/^authflow: cannot reach PostgreSQL at 127\.0\.0\.1:1\/none\b/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(dataDir)).toBe(false);
    });
  });

  describe('embedded native addons', () => {
    it('are written once to a private cache dir, named by their SHA-256, and a damaged copy is replaced', async () => {
      const cacheDir = join(work, 'cache', 'nested');
      const env = { AUTHFLOW_CACHE_DIR: cacheDir };
      // Several first starts at once: each must find a whole file.
      const results = await Promise.all(
        [1, 2, 3, 4].map((i) => run(['--data-dir', join(work, `cache-${i}`), '--json', 'init', '--non-interactive'], { env })),
      );
      for (const r of results) expect(r.code, r.stderr).toBe(0);

      expect(modeOf(join(work, 'cache'))).toBe(0o700);
      expect(modeOf(cacheDir)).toBe(0o700);
      const files = readdirSync(cacheDir);
      expect(files).toHaveLength(1);
      const [name] = files as [string];
      const match = /^better_sqlite3-([0-9a-f]{64})\.node$/.exec(name);
      expect(match).not.toBeNull();
      const file = join(cacheDir, name);
      expect(sha256(readFileSync(file))).toBe(match![1]);
      expect(modeOf(file) & 0o222).toBe(0);

      chmodSync(file, 0o600);
      const damaged = readFileSync(file);
      const middle = damaged.length >> 1;
      damaged[middle] = damaged[middle]! ^ 0xff;
      writeFileSync(file, damaged);
      const r = await run(['--data-dir', join(work, 'cache-1'), 'db', 'status'], { env });
      expect(r.code, r.stderr).toBe(0);
      expect(sha256(readFileSync(file))).toBe(match![1]);
      expect(readdirSync(cacheDir)).toEqual([name]);
    });
  });

  describe.skipIf(!PG_URL)('on PostgreSQL (AUTHFLOW_TEST_DATABASE_URL)', () => {
    it('initialises and serves a fresh database', async () => {
      const database = await createPgDatabase();
      try {
        const dataDir = join(work, 'pg');
        const out = await init(dataDir, ['--database-url', database.url]);
        expect(out.database).toBe('postgres');
        const server = await serve(dataDir);
        await untilReady(server.url);
        const r = await server.stop();
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/"msg":"stopped"/);
      } finally {
        await database.drop();
      }
    });
  });
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
