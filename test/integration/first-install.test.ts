// The README's first command, `npm ci`, on a machine whose own Node.js is older than the one the project
// pins: one sentence on stderr, not a screen of engine warnings. Run with the system's npm when it has one.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SYSTEM = { PATH: '/usr/bin:/bin', HOME: tmpdir() };
const systemNode = spawnSync('node', ['-p', 'process.versions.node'], { env: SYSTEM, encoding: 'utf8' });
const hasSystemNpm = systemNode.status === 0 && existsSync('/usr/bin/npm');

describe.skipIf(!hasSystemNpm)('npm ci with the system Node.js', () => {
  it('prints at most one sentence on stderr, naming the pinned Node.js 24 when the system one is older', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authflow-npm-ci-'));
    try {
      mkdirSync(join(dir, 'scripts'));
      for (const f of ['package.json', 'package-lock.json', '.npmrc', 'scripts/preinstall.cjs']) copyFileSync(join(ROOT, f), join(dir, f));
      // --dry-run --offline: resolve everything from the lockfile and the cache, write nothing, reach no network.
      const r = spawnSync('npm', ['ci', '--dry-run', '--offline', '--cache', join(dir, 'cache')], { cwd: dir, env: { ...SYSTEM, npm_config_cache: join(tmpdir(), 'authflow-npm-cache') }, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/EBADENGINE/);
      const older = Number(systemNode.stdout.split('.')[0]) < 24;
      expect(r.stderr.trim().split('\n').filter(Boolean)).toEqual(older ? [expect.stringMatching(/^authflow: npm runs on Node\.js v\d+\.\d+\.\d+; the project brings its own Node\.js 24/)] : []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
