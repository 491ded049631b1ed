// install.sh against the built single binary (dist/authflow): what it installs,
// what it refuses, that a re-run only upgrades, and that the installed binary
// initialises and serves. Everything goes under a temp dir: PREFIX, DATA_DIR
// and SYSTEMD_DIR point there and CREATE_USER=no, so the script creates no
// account even when the suite runs as root (as CI does).
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/db.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INSTALL = join(ROOT, 'install.sh');
const BINARY = join(ROOT, 'dist', 'authflow');
const USER = userInfo().username;
const IS_ROOT = process.getuid?.() === 0;

interface Layout {
  readonly root: string;
  readonly prefix: string;
  readonly data: string;
  readonly systemd: string;
  readonly cache: string;
}

/** The environment without anything that would steer the script or the binary. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_OPTIONS' || k.startsWith('AUTHFLOW_') || ['PREFIX', 'DATA_DIR', 'SYSTEMD_DIR', 'CREATE_USER'].includes(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

function layoutIn(root: string): Layout {
  return { root, prefix: join(root, 'bin'), data: join(root, 'data'), systemd: join(root, 'systemd'), cache: join(root, 'cache') };
}

function install(l: Layout, args: string[], shell = 'sh'): SpawnSyncReturns<string> {
  return spawnSync(shell, [INSTALL, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: cleanEnv({ PREFIX: l.prefix, DATA_DIR: l.data, SYSTEMD_DIR: l.systemd, CREATE_USER: 'no', AUTHFLOW_USER: USER, AUTHFLOW_CACHE_DIR: l.cache }),
  });
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

/** A failure is reported as exactly one line on stderr. */
function expectOneSentenceFailure(r: SpawnSyncReturns<string>, pattern: RegExp): void {
  expect(r.status, r.stdout + r.stderr).not.toBe(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^install\.sh: .+\.$/);
  expect(lines[0]).toMatch(pattern);
}

function expectInstalled(l: Layout, r: SpawnSyncReturns<string>): void {
  expect(r.status, r.stdout + r.stderr).toBe(0);
  const bin = join(l.prefix, 'authflow');
  expect(mode(bin)).toBe(0o755);
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8', env: cleanEnv({ AUTHFLOW_CACHE_DIR: l.cache }) });
  expect(version.status, version.stderr).toBe(0);
  expect(version.stdout).toMatch(/^authflow \d+\.\d+\.\d+/);
  expect(statSync(l.data).isDirectory()).toBe(true);
  expect(mode(l.data)).toBe(0o700);
}

beforeAll(() => {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run "npm run build" before the e2e tests`);
});

describe('install.sh', () => {
  let dir: ReturnType<typeof tempDir>;
  let l: Layout;
  let first: SpawnSyncReturns<string>;

  beforeAll(() => {
    dir = tempDir('authflow-install-');
    l = layoutIn(dir.path);
    first = install(l, ['dist/authflow']);
  });
  afterAll(() => dir?.cleanup());

  it('installs the binary 0755 and creates the data dir 0700', () => {
    expectInstalled(l, first);
    expect(first.stdout).toContain(`installed ${l.prefix}/authflow (authflow `);
    // Written through a temp name and renamed: nothing else is left behind.
    expect(readdirSync(l.prefix)).toEqual(['authflow']);
  });

  it('writes a hardened unit that clears NODE_OPTIONS and can write only the data dir', () => {
    const unit = readFileSync(join(l.systemd, 'authflow.service'), 'utf8');
    const lines = unit.split('\n');
    for (const line of [
      'Type=simple',
      `User=${USER}`,
      `Environment=AUTHFLOW_DATA_DIR=${l.data}`,
      'Environment=NODE_OPTIONS=',
      'UnsetEnvironment=NODE_OPTIONS',
      `ExecStart=${l.prefix}/authflow serve`,
      'KillSignal=SIGTERM',
      'TimeoutStopSec=30',
      'Restart=on-failure',
      'LimitNOFILE=65536',
      'CacheDirectory=authflow',
      `ReadWritePaths=${l.data}`,
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'PrivateDevices=yes',
      'NoNewPrivileges=yes',
      'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX',
      'SystemCallFilter=@system-service',
      'CapabilityBoundingSet=',
      'AmbientCapabilities=',
      'UMask=0077',
      'After=network-online.target',
      'WantedBy=multi-user.target',
    ]) {
      expect(lines, line).toContain(line);
    }
    expect(lines.find((x) => x.startsWith('Group='))).toMatch(/^Group=\S+$/);
    // V8's JIT needs writable and executable memory.
    expect(unit).not.toMatch(/^MemoryDenyWriteExecute=/m);
    expect(mode(join(l.systemd, 'authflow.service'))).toBe(0o644);
    expect(readdirSync(l.systemd)).toEqual(['authflow.service']);
  });

  it('prints the two next steps: init as the service user, then start the service', () => {
    expect(first.stdout).toContain(`${l.prefix}/authflow init --non-interactive --data-dir ${l.data}`);
    if (IS_ROOT) expect(first.stdout).toContain(`systemctl enable --now ${l.systemd}/authflow.service`);
    else expect(first.stdout).toContain(`${l.prefix}/authflow serve --data-dir ${l.data}`);
  });

  it('re-runs as an upgrade: same unit, fresh binary, data dir contents untouched', () => {
    const kept = join(l.data, 'keep.txt');
    writeFileSync(kept, 'operator data\n', { mode: 0o600 });
    const before = statSync(kept);
    const unitBefore = readFileSync(join(l.systemd, 'authflow.service'), 'utf8');

    const again = install(l, ['dist/authflow']);
    expectInstalled(l, again);
    expect(again.stdout).toContain(`upgraded ${l.prefix}/authflow`);
    expect(again.stdout).toContain(`kept existing data dir ${l.data}`);
    expect(readFileSync(join(l.systemd, 'authflow.service'), 'utf8')).toBe(unitBefore);
    expect(readFileSync(kept, 'utf8')).toBe('operator data\n');
    expect(statSync(kept).mtimeMs).toBe(before.mtimeMs);
    expect(mode(kept)).toBe(0o600);
    expect(readdirSync(l.data)).toEqual(['keep.txt']);
    expect(readdirSync(l.prefix)).toEqual(['authflow']);
    expect(readdirSync(l.systemd)).toEqual(['authflow.service']);
  });

  it('leaves a binary that initialises the data dir and serves until SIGTERM', async () => {
    const bin = join(l.prefix, 'authflow');
    const env = cleanEnv({ AUTHFLOW_CACHE_DIR: l.cache });
    const init = spawnSync(bin, ['init', '--non-interactive', '--data-dir', l.data, '--admin-email', 'ops@example.com'], { encoding: 'utf8', env, timeout: 60_000 });
    expect(init.status, init.stdout + init.stderr).toBe(0);
    for (const f of ['authflow.yaml', 'master.key', 'authflow.db', 'initial-admin-credentials.txt']) expect(existsSync(join(l.data, f)), f).toBe(true);
    expect(mode(join(l.data, 'master.key'))).toBe(0o600);

    const server = spawn(bin, ['serve', '--data-dir', l.data, '--host', '127.0.0.1', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    try {
      const url = await listeningUrl(server);
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      // The native addons were unpacked where AUTHFLOW_CACHE_DIR points.
      expect(readdirSync(l.cache).length).toBeGreaterThan(0);
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);

    // Now that the data dir holds an install, a re-run says how to restart instead.
    const again = install(l, ['dist/authflow']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain(`${l.data} already holds an install`);
    expect(again.stdout).not.toContain('authflow init');
  });
});

describe('install.sh refuses', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir('authflow-install-bad-');
  });
  afterAll(() => dir?.cleanup());
  let n = 0;
  const fresh = (): Layout => layoutIn(join(dir.path, `run${++n}`));

  it('a binary path that does not exist', () => {
    const l = fresh();
    const r = install(l, [join(dir.path, 'no-such-authflow')]);
    expectOneSentenceFailure(r, /no-such-authflow does not exist/);
    expect(existsSync(l.prefix)).toBe(false);
    expect(existsSync(l.data)).toBe(false);
    expect(existsSync(l.systemd)).toBe(false);
  });

  it('a file that is not an executable', () => {
    const l = fresh();
    const garbage = join(dir.path, 'garbage');
    writeFileSync(garbage, randomBytes(4096), { mode: 0o755 });
    const r = install(l, [garbage]);
    expectOneSentenceFailure(r, /is not an x86_64 Linux executable/);
    expect(existsSync(l.prefix)).toBe(false);
  });

  it('an executable that does not run', () => {
    const l = fresh();
    const broken = join(dir.path, 'truncated');
    // A real ELF header, but the program is cut short.
    writeFileSync(broken, readFileSync(BINARY).subarray(0, 64 * 1024), { mode: 0o755 });
    const r = install(l, [broken]);
    expectOneSentenceFailure(r, /does not run/);
    expect(readdirSync(l.prefix)).toEqual([]);
    expect(existsSync(l.systemd)).toBe(false);
  });

  it('an executable that is not authflow', () => {
    const l = fresh();
    const other = join(dir.path, 'node');
    copyFileSync(process.execPath, other);
    chmodSync(other, 0o755);
    const r = install(l, [other]);
    expectOneSentenceFailure(r, /is not the authflow binary/);
    expect(readdirSync(l.prefix)).toEqual([]);
  });

  it('PREFIX pointing somewhere it cannot write', () => {
    const l = fresh();
    mkdirSync(l.root, { recursive: true });
    writeFileSync(join(l.root, 'file'), '');
    const r = spawnSync('sh', [INSTALL, 'dist/authflow'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: cleanEnv({ PREFIX: join(l.root, 'file', 'bin'), DATA_DIR: l.data, SYSTEMD_DIR: l.systemd, CREATE_USER: 'no', AUTHFLOW_USER: USER }),
    });
    expectOneSentenceFailure(r, /PREFIX/);
    expect(existsSync(l.data)).toBe(false);
  });
});

describe.runIf(existsSync('/bin/dash'))('install.sh under dash', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir('authflow-install-dash-');
  });
  afterAll(() => dir?.cleanup());

  it('installs and re-runs the same way', () => {
    const l = layoutIn(dir.path);
    expectInstalled(l, install(l, ['dist/authflow'], '/bin/dash'));
    const unit = readFileSync(join(l.systemd, 'authflow.service'), 'utf8');
    expectInstalled(l, install(l, ['dist/authflow'], '/bin/dash'));
    expect(readFileSync(join(l.systemd, 'authflow.service'), 'utf8')).toBe(unit);
    expectOneSentenceFailure(install(layoutIn(join(dir.path, 'missing')), [join(dir.path, 'nope')], '/bin/dash'), /does not exist/);
  });
});

/** Resolves with the URL `authflow serve` reports once it listens. */
function listeningUrl(server: ReturnType<typeof spawn>): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`authflow serve did not report a listening URL in 20 s:\n${out}`)), 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/[^\s"]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`authflow serve exited with ${code} before listening:\n${out}`));
    });
  });
}
