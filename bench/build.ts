// dist/authflow, rebuilt (npm run build) when it is missing or older than
// anything it is built from.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const INPUTS = ['src', 'bin', 'scripts', 'templates', 'package.json', 'package-lock.json'];

function newestMtime(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Why dist/authflow must be (re)built, or undefined when it is current. */
export function staleness(root: string): string | undefined {
  const binary = join(root, 'dist', 'authflow');
  if (!existsSync(binary)) return 'dist/authflow is missing';
  const built = statSync(binary).mtimeMs;
  const newer = INPUTS.find((p) => newestMtime(join(root, p)) > built);
  return newer ? `${newer} changed after dist/authflow was built` : undefined;
}

export function ensureBinary(root: string, allowBuild: boolean, progress: (line: string) => void): string {
  const binary = join(root, 'dist', 'authflow');
  const why = staleness(root);
  if (why && allowBuild) {
    progress(`building: ${why} (npm run build)`);
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.ts')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } });
    if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status ?? r.signal})`);
  } else if (why) {
    if (!existsSync(binary)) throw new Error('dist/authflow is missing (run npm run build, or drop --no-build)');
    progress(`note: ${why}; using it anyway (--no-build)`);
  }
  return binary;
}
