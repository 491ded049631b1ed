// What a new user meets in the first minutes: the listen address, init's prompts, client create, the
// CLI's errors and help, doctor on and off the install, the server's browser pages and its metrics port.
import { existsSync } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/app/index.ts';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { main } from '../../src/cli/main.ts';
import { runCli, TEST_ENV, TextSink } from '../helpers/cli.ts';
import { tempDir } from '../helpers/db.ts';
import { openTestAuthflow, serveAuthflow, type Harness, type TestAuthflow } from '../helpers/server.ts';

describe('the listen address follows the public URL', () => {
  const load = (flags: Record<string, unknown>, env: Record<string, string> = {}) => loadConfig({ dataDir: tempDir().path, env, flags });
  it('an http public URL with a port: serve listens on that port unless listen, host or port say otherwise', () => {
    expect(load({ public_url: 'http://127.0.0.1:9001' })).toMatchObject({ host: '127.0.0.1', port: 9001, publicUrl: 'http://127.0.0.1:9001' });
    expect(load({ public_url: 'http://127.0.0.1:9001', port: 9100 })).toMatchObject({ port: 9100 });
    expect(load({ public_url: 'http://127.0.0.1:9001', listen: '0.0.0.0:9200' })).toMatchObject({ host: '0.0.0.0', port: 9200 });
    expect(load({ public_url: 'http://127.0.0.1:9001' }, { AUTHFLOW_LISTEN: ':9300' })).toMatchObject({ host: '127.0.0.1', port: 9300 });
    // An https URL has a TLS proxy in front: the default port stays.
    expect(load({ public_url: 'https://id.example.com:8443' })).toMatchObject({ port: 8080 });
    expect(load({})).toMatchObject({ host: '127.0.0.1', port: 8080, publicUrl: 'http://127.0.0.1:8080' });
  });

  it('a malformed listen address names the setting', () => {
    expect(() => load({ listen: 'nonsense' })).toThrow(/^--listen: must be host:port/);
  });
});

describe('doctor and the public URL', () => {
  let t: TestAuthflow;
  beforeAll(async () => {
    t = await openTestAuthflow();
  });
  afterAll(async () => {
    await t.close();
  });

  it('fails when the server answers on its listen address but not at the public URL; passes when it answers there', async () => {
    const serving = await startServer(t.af, { port: 0 });
    try {
      // The install's public URL is http://localhost:8080; this server is elsewhere.
      const elsewhere = await runCli(['--data-dir', t.dataDir, 'doctor', '--json'], { env: { AUTHFLOW_PORT: String(serving.port) } });
      expect(elsewhere.code).toBe(5);
      expect(elsewhere.json().checks.find((c: { name: string }) => c.name === 'listen')).toMatchObject({ status: 'fail', detail: expect.stringContaining('names port 8080') });
      const here = await runCli(['--data-dir', t.dataDir, 'doctor', '--json'], { env: { AUTHFLOW_PUBLIC_URL: serving.url } });
      expect(here.json().checks.find((c: { name: string }) => c.name === 'listen')).toMatchObject({ status: 'ok', detail: `the server answers at ${serving.url}` });
    } finally {
      await serving.stop();
    }
  });
});

describe('doctor --url checks the server, not the local data dir', () => {
  let t: TestAuthflow;
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    t = await openTestAuthflow();
    h = await serveAuthflow(t, 'node:http');
    key = (await t.af.admin.apiKeys.create(LOCAL_ADMIN, { name: 'doctor', tenant: 'main', scopes: ['clients:read'] })).token;
  });
  afterAll(async () => {
    await h.stop();
    await t.close();
  });

  it('reports readiness, the API key, the version and the clock, with no data dir anywhere', async () => {
    const r = await runCli(['--url', h.url!, '--data-dir', '/nonexistent/authflow', 'doctor', '--json'], { env: { AUTHFLOW_API_KEY: key } });
    expect(r.stderr).toBe('');
    const byName = Object.fromEntries(r.json().checks.map((c: { name: string; status: string }) => [c.name, c.status]));
    expect(byName).toMatchObject({ tls: 'warn', readiness: 'ok', 'api key': 'ok', version: 'ok', clock: 'ok' });
    expect(byName).not.toHaveProperty('permissions');
    expect(r.code).toBe(0);
  });

  it('a refused key fails (exit 5); a server that is not there fails with what was tried', async () => {
    const refused = await runCli(['--url', h.url!, 'doctor', '--json'], { env: { AUTHFLOW_API_KEY: 'af_test_nope_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
    expect(refused.code).toBe(5);
    expect(refused.json().checks.find((c: { name: string }) => c.name === 'api key')).toMatchObject({ status: 'fail' });
    const gone = await runCli(['--url', 'http://127.0.0.1:9', 'doctor'], { env: { AUTHFLOW_API_KEY: key } });
    expect(gone.code).toBe(5);
    expect(gone.stdout).toMatch(/FAIL\s+reachable\s+no answer from http:\/\/127\.0\.0\.1:9/);
  });
});

describe('the interactive init', () => {
  const interactive = (dataDir: string) => {
    const stdin = new PassThrough();
    const stdout = new TextSink();
    const stderr = new TextSink();
    const code = main(['--data-dir', dataDir, 'init'], { stdout, stderr, stdin, stdinIsTTY: true }, { ...TEST_ENV });
    return { stdin, stdout, stderr, code };
  };

  it('checks the slug as it is typed, and asks again instead of failing at the end', async () => {
    const dir = `${tempDir().path}/data`;
    const run = interactive(dir);
    await expect.poll(() => run.stderr.text, { timeout: 10_000 }).toContain('Public URL');
    run.stdin.write('http://127.0.0.1:9001\n');
    await expect.poll(() => run.stderr.text, { timeout: 10_000 }).toContain("Administrator's email");
    run.stdin.write('\n');
    await expect.poll(() => run.stderr.text, { timeout: 10_000 }).toContain('First tenant slug');
    run.stdin.write('\u0015Acme Corp\n');
    await expect.poll(() => run.stderr.text, { timeout: 10_000 }).toContain('must be 1–63 lower-case letters');
    run.stdin.write('\u0015acme\n');
    await expect.poll(() => run.stderr.text, { timeout: 10_000 }).toContain('Database');
    run.stdin.write('\n');
    expect(await run.code).toBe(0);
    expect(run.stdout.text).toContain('issuer         http://127.0.0.1:9001/t/acme');
    // And serve would listen where the issuer says.
    expect(loadConfig({ dataDir: dir, env: {} })).toMatchObject({ port: 9001 });
  });

  it('Ctrl-C at a prompt exits 130 with one line and leaves nothing behind', async () => {
    const dir = `${tempDir().path}/data`;
    const run = interactive(dir);
    await expect.poll(() => run.stderr.text, { timeout: 10_000 }).toContain('Public URL');
    run.stdin.write('\u0003'); // Ctrl-C
    expect(await run.code).toBe(130);
    // eslint-disable-next-line no-control-regex
    expect(run.stderr.text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').trimEnd().split('\n').at(-1)).toBe('authflow: cancelled: nothing was changed');
    expect(existsSync(dir)).toBe(false);
    expect(run.stderr.text).not.toMatch(/ExitPromptError|unexpected failure/);
  });
});

describe('client create needs to know the kind of client', () => {
  let t: TestAuthflow;
  beforeAll(async () => {
    t = await openTestAuthflow();
  });
  afterAll(async () => {
    await t.close();
  });

  it('without a terminal, neither --redirect-uri nor --grant is a usage error naming both choices', async () => {
    const r = await runCli(['--data-dir', t.dataDir, 'client', 'create', '--tenant', 'main', '--name', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('authflow: say what kind of client this is: --redirect-uri URL for an app that signs users in, or --grant client_credentials for a machine client\n');
    expect((await t.af.admin.clients.list(LOCAL_ADMIN, 'main')).items).toEqual([]);
  });

  it('on a terminal, it asks; "machine client" makes a client_credentials client with its secret beside its fields', async () => {
    const stdin = new PassThrough();
    const stdout = new TextSink();
    const stderr = new TextSink();
    const code = main(['--data-dir', t.dataDir, 'client', 'create', '--tenant', 'main', '--name', 'asked'], { stdout, stderr, stdin, stdinIsTTY: true }, { ...TEST_ENV });
    await expect.poll(() => stderr.text, { timeout: 10_000 }).toContain('What kind of client is this?');
    stdin.write('\u001b[B\n'); // arrow down: the machine client
    expect(await code).toBe(0);
    expect(stdout.text).toMatch(/grant_types: +client_credentials/);
    expect(stdout.text).toMatch(/client_secret: af_cs_/);
  });

  it('the API refuses the same body with 422 naming redirect_uris', async () => {
    await expect(t.af.admin.clients.create(LOCAL_ADMIN, 'main', { name: 'api' })).rejects.toMatchObject({ code: 'validation_failed', field: 'redirect_uris' });
  });
});

describe('the CLI talks like one program', () => {
  it('help piped into a reader that closes early ends quietly with exit 0', async () => {
    const closed = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const stderr = new TextSink();
    expect(await main(['user', '--help'], { stdout: closed, stderr })).toBe(0);
    expect(stderr.text).toBe('');
  });

  it('user --help wraps its descriptions to 80 columns', async () => {
    const r = await runCli(['user', '--help']);
    const [commands] = r.stdout.split('Examples:');
    for (const line of commands!.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('audit list offers only flags that exist; mail list has --all', async () => {
    const t = await openTestAuthflow();
    try {
      for (let i = 0; i < 3; i++) await t.af.admin.tenants.update(LOCAL_ADMIN, 'main', { name: `Main ${i}` });
      const r = await runCli(['--data-dir', t.dataDir, 'audit', 'list', '--tenant', 'main', '--limit', '1', '--action', 'tenant.updated']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/More: authflow audit list --tenant main --action tenant\.updated --cursor \S+ {2}\(or "authflow audit export --tenant main" for every event\)/);
      expect(r.stdout).not.toContain('--all');
      expect((await runCli(['--data-dir', t.dataDir, '--json', 'mail', 'list', '--all'])).code).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('a taken port is one sentence saying how to choose another (exit 1)', async () => {
    const t = await openTestAuthflow();
    const serving = await startServer(t.af, { port: 0 });
    try {
      const r = await runCli(['--data-dir', t.dataDir, 'serve', '--port', String(serving.port)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`authflow: cannot listen on 127.0.0.1:${serving.port}: the port is already in use (another authflow serve?); stop that process or choose another with --port N (or listen: host:port in authflow.yaml, or AUTHFLOW_LISTEN)\n`);
    } finally {
      await serving.stop();
      await t.close();
    }
  });

  it.each([
    [['client', 'create', '--tenant', 'main', '--name', 'x', '--grant', 'implicit'], 'authflow: --grant: must be one of "authorization_code", "refresh_token", "client_credentials" (got "implicit")\n'],
    [['client', 'create', '--tenant', 'main', '--name', 'x', '--grant', 'client_credentials', '--scope', ''], 'authflow: --scope: must not be empty (got "")\n'],
    [['client', 'create', '--tenant', 'main', '--name', 'x', '--grant', 'client_credentials', '--access-token-ttl', '5'], 'authflow: --access-token-ttl: must be at least 60 (got 5)\n'],
    [['tenant', 'create', 'acme', '--set', 'access_token_ttl="x"'], 'authflow: --set access_token_ttl: must be a number (got "x")\n'],
    [['tenant', 'create', 'acme', '--set', 'nope=1'], 'authflow: --set nope: is not a tenant setting\n'],
  ])('validation names the flag as typed, in one style: %j', async (argv, message) => {
    const t = await openTestAuthflow();
    try {
      const r = await runCli(['--data-dir', t.dataDir, ...argv]);
      expect(r.code).toBe(5);
      expect(r.stderr).toBe(message);
    } finally {
      await t.close();
    }
  });
});

describe('browser pages and metrics of a running server', () => {
  let t: TestAuthflow;
  beforeAll(async () => {
    t = await openTestAuthflow();
  });
  afterAll(async () => {
    await t.close();
  });
  const html = { accept: 'text/html,application/xhtml+xml' };

  it('/ says what the server is; /t/{tenant} links to the account page; unknown pages are HTML 404s for browsers only; a favicon', async () => {
    const h = await serveAuthflow(t, 'in-process');
    try {
      const home = await h.fetch('/', { headers: html });
      expect([home.status, home.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
      expect(await home.text()).toContain('This is an OpenID Connect provider');
      const tenant = await h.fetch('/t/main', { headers: html });
      expect(tenant.status).toBe(200);
      expect(await tenant.text()).toContain('href="/t/main/account"');
      const missing = await h.fetch('/t/main/nope', { headers: html });
      expect([missing.status, missing.headers.get('content-type')]).toEqual([404, 'text/html; charset=utf-8']);
      expect(await missing.text()).toContain('Page not found');
      const machine = await h.fetch('/t/main/nope', { headers: { accept: 'application/json' } });
      expect([machine.status, machine.headers.get('content-type')]).toEqual([404, 'application/problem+json']);
      const noTenant = await h.fetch('/t/nosuch', { headers: html });
      expect(noTenant.status).toBe(404);
      expect(await noTenant.text()).toContain('There is no such tenant here.');
      const icon = await h.fetch('/favicon.ico');
      expect([icon.status, icon.headers.get('content-type')]).toEqual([200, 'image/x-icon']);
      expect(Buffer.from(await icon.arrayBuffer()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));
    } finally {
      await h.stop();
    }
  });

  it('serve answers /metrics only on metrics.listen, never on the main port, by default', async () => {
    const plain = await startServer({ ...t.af, config: { ...t.af.config, metricsListen: undefined } }, { port: 0 });
    try {
      expect((await fetch(`${plain.url}/metrics`)).status).toBe(404);
      expect(plain.metricsUrl).toBeUndefined();
    } finally {
      await plain.stop();
    }
  });

  it('with metrics.listen, /metrics is on its own listener and not on the main port', async () => {
    const t2 = await openTestAuthflow();
    const serving = await startServer({ ...t2.af, config: { ...t2.af.config, metricsListen: { host: '127.0.0.1', port: 0 } } }, { port: 0 });
    try {
      expect((await fetch(`${serving.url}/metrics`)).status).toBe(404);
      const m = await fetch(serving.metricsUrl!);
      expect(m.status).toBe(200);
      expect(await m.text()).toContain('authflow_http_requests_total');
      expect((await fetch(serving.metricsUrl!.replace('/metrics', '/'))).status).toBe(404);
    } finally {
      await serving.stop();
      await t2.close();
    }
  });
});
