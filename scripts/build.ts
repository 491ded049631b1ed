// Builds dist/authflow: one executable holding Node.js, the bundled program
// and its native addons (Node's single executable applications).
// Usage: npm run build
//
// 1. check that the embedded migrations match their SQL, and the embedded templates their HTML
// 2. bundle bin/authflow.ts into one CommonJS file (build/authflow.cjs)
// 3. write build/sea-config.json and let Node turn the bundle and the addons into a blob
// 4. copy this Node binary, strip it and inject the blob into the copy
// 5. run the result once (--version) before moving it into place
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { licenseKeySet } from './license-keys.ts';

const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const started = performance.now();
const root = join(import.meta.dirname, '..');
const buildDir = join(root, 'build');
const distDir = join(root, 'dist');
const bundleFile = join(buildDir, 'authflow.cjs');
const blobFile = join(buildDir, 'sea-prep.blob');
const seaConfigFile = join(buildDir, 'sea-config.json');
const output = join(distDir, 'authflow');
const require = createRequire(import.meta.url);

/** Child processes get this environment: NODE_OPTIONS must not leak into the build. */
const childEnv = { ...process.env, NODE_OPTIONS: '' };

function step(message: string): void {
  process.stdout.write(`[build ${((performance.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
}

function fail(message: string): never {
  process.stderr.write(`build failed: ${message}\n`);
  process.exit(1);
}

/** Runs a build tool quietly; its output is shown only when it fails. */
function run(command: string, args: string[]): void {
  const r = spawnSync(command, args, { cwd: root, env: childEnv, encoding: 'utf8' });
  if (r.error) fail(`${command}: ${r.error.message}`);
  if (r.status !== 0) fail(`${relative(root, command) || command} ${args.map((a) => relative(root, a) || a).join(' ')} exited with ${r.status ?? r.signal}\n${r.stdout}${r.stderr}`);
}

/** postject, minus its progress lines and the harmless notes LIEF prints about ELF note sections it leaves alone. */
function inject(binary: string, blob: string): void {
  const cli = join(dirname(require.resolve('postject')), 'cli.js');
  const r = spawnSync(process.execPath, [cli, binary, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE], { cwd: root, env: childEnv, encoding: 'utf8' });
  const noise = [/^warning: Can't find string offset for section name '\.note[.\w]*'$/, /^Start injection of /, /Injection done!$/];
  const said = stripVTControlCharacters(`${r.stdout ?? ''}${r.stderr ?? ''}`)
    .split('\n')
    .filter((line) => line.trim() && !noise.some((re) => re.test(line.trim())));
  if (r.error || r.status !== 0) throw new Error(`postject failed (exit ${r.status ?? r.signal}): ${r.error?.message ?? said.join('\n')}`);
  for (const line of said) process.stdout.write(`  postject: ${line}\n`);
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The native addons the program needs at run time, by SEA asset name. */
function addonFiles(): Record<string, string> {
  if (process.platform !== 'linux' || process.arch !== 'x64') fail(`the single binary is built for linux-x64 only, not ${process.platform}-${process.arch}`);
  const argon2Dir = dirname(require.resolve('@node-rs/argon2/package.json'));
  const argon2Linux = dirname(createRequire(join(argon2Dir, 'package.json')).resolve('@node-rs/argon2-linux-x64-gnu/package.json'));
  return {
    'better_sqlite3.node': join(dirname(require.resolve('better-sqlite3/package.json')), 'prebuilds', 'linux-x64.node'),
    'argon2.linux-x64-gnu.node': join(argon2Linux, 'argon2.linux-x64-gnu.node'),
  };
}

/**
 * Sends better-sqlite3 and @node-rs/argon2 to their scripts/sea stand-ins,
 * which load the embedded addons. An import from the stand-in itself falls
 * through to the real package, so the stand-in can wrap it without a cycle.
 */
function seaShims(): Plugin {
  const shims: Record<string, string> = {
    'better-sqlite3': join(root, 'scripts', 'sea', 'better-sqlite3.ts'),
    '@node-rs/argon2': join(root, 'scripts', 'sea', 'argon2.ts'),
  };
  return {
    name: 'authflow-sea-shims',
    setup(b) {
      b.onResolve({ filter: /^(better-sqlite3|@node-rs\/argon2)$/ }, (args) => {
        const shim = shims[args.path]!;
        return args.importer === shim ? undefined : { path: shim };
      });
    },
  };
}

// 1. Migrations travel inside the bundle: refuse to ship stale ones.
step('checking embedded migrations');
run(process.execPath, [join(root, 'scripts', 'embed-migrations.ts'), '--check']);
step('checking embedded templates');
run(process.execPath, [join(root, 'scripts', 'embed-templates.ts'), '--check']);

// 2. One CommonJS file: a SEA's main script is CommonJS and its `require` loads only built-in modules.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const sourceDateEpoch = Number(process.env.SOURCE_DATE_EPOCH);
const buildInfo = { version: pkg.version, commit: gitCommit(), builtAt: Number.isFinite(sourceDateEpoch) && sourceDateEpoch > 0 ? sourceDateEpoch * 1000 : Date.now() };
const addons = addonFiles();
// Vendor keys for licenses are fixed here: AUTHFLOW_BUILD_LICENSE_KEYS adds a JWK Set file's keys (test builds).
let licenseKeys: ReturnType<typeof licenseKeySet>;
try {
  licenseKeys = licenseKeySet(root, process.env.AUTHFLOW_BUILD_LICENSE_KEYS || undefined);
} catch (e) {
  fail(`AUTHFLOW_BUILD_LICENSE_KEYS: ${(e as Error).message}`);
}
const addonHashes = Object.fromEntries(Object.entries(addons).map(([name, file]) => [name, sha256(file)]));

mkdirSync(buildDir, { recursive: true });
mkdirSync(distDir, { recursive: true });
step(`bundling authflow ${buildInfo.version} (commit ${buildInfo.commit}), trusting ${licenseKeys.keys.length} license key(s)`);
const bundled = await build({
  absWorkingDir: root,
  entryPoints: [join(root, 'scripts', 'sea', 'main.ts')],
  outfile: bundleFile,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: true,
  // The CLI maps errors to exit codes by `error.name`: class names must survive minification.
  keepNames: true,
  sourcemap: 'external',
  metafile: true,
  logLevel: 'warning',
  external: ['pg-native', 'pg-cloudflare'],
  define: {
    AUTHFLOW_BUILD: JSON.stringify(buildInfo),
    AUTHFLOW_SEA_ADDONS: JSON.stringify(addonHashes),
    AUTHFLOW_LICENSE_KEYS: JSON.stringify(licenseKeys),
    'import.meta.url': '__authflow_import_meta_url',
    'import.meta.filename': '__filename',
    'import.meta.dirname': '__dirname',
  },
  banner: { js: 'const __authflow_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [seaShims()],
}).catch(() => fail('bundling failed (esbuild printed why above)'));
step(`bundle ${mb(statSync(bundleFile).size)} (${Object.keys(bundled.metafile.inputs).length} modules)`);

// 3. The SEA blob: bundle (with V8 code cache) and addons.
writeFileSync(
  seaConfigFile,
  `${JSON.stringify(
    {
      main: relative(root, bundleFile),
      output: relative(root, blobFile),
      disableExperimentalSEAWarning: true,
      // V8's young generation grows to 3 × 16 MiB semi-spaces under load by default: most of the peak RSS of a
      // busy server. 4 MiB keeps the peak down at no measurable cost per request (see README, Performance).
      execArgv: ['--max-semi-space-size=4'],
      useCodeCache: true,
      useSnapshot: false,
      assets: Object.fromEntries(Object.entries(addons).map(([name, file]) => [name, relative(root, file)])),
    },
    null,
    2,
  )}\n`,
);
step('generating the SEA blob');
run(process.execPath, ['--experimental-sea-config', relative(root, seaConfigFile)]);

// 4. A stripped copy of this Node binary with the blob injected.
const staging = `${output}.${process.pid}.tmp`;
try {
  copyFileSync(process.execPath, staging);
  chmodSync(staging, 0o755);
  step(`stripping a copy of ${process.execPath} (node ${process.version})`);
  const stripped = spawnSync('strip', [staging], { stdio: ['ignore', 'inherit', 'inherit'] });
  if ((stripped.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') step('strip is not installed (binutils): keeping the symbols, the binary is about 12 MiB larger');
  else if (stripped.error || stripped.status !== 0) throw new Error(`strip failed: ${stripped.error?.message ?? `exit ${stripped.status ?? stripped.signal}`}`);
  step('injecting the blob');
  inject(staging, blobFile);

  // 5. It must start on its own before it replaces the previous build.
  const smoke = spawnSync(staging, ['--version'], { env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8', timeout: 30_000 });
  const expected = `authflow ${buildInfo.version} (commit ${buildInfo.commit}, node ${process.version})`;
  if (smoke.status !== 0 || smoke.stdout.trim() !== expected) {
    throw new Error(`the built binary does not start (exit ${smoke.status ?? smoke.signal}):\n${smoke.stdout}${smoke.stderr}`);
  }
  renameSync(staging, output);
} catch (e) {
  rmSync(staging, { force: true });
  fail((e as Error).message);
}

step(`done: ${relative(process.cwd(), output) || output} ${mb(statSync(output).size)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
