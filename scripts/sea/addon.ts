// Loads a native addon embedded in the single binary. The operating system
// can only load a shared library from a file, so each addon is written once to
// a private cache directory under a name carrying its SHA-256, and its bytes
// are checked against the hash recorded at build time before every load: a
// truncated, stale or tampered file is replaced, never loaded.
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { getRawAsset, isSea } from 'node:sea';

/** Asset name -> SHA-256 (hex) of the embedded bytes; defined by scripts/build.ts. */
declare const AUTHFLOW_SEA_ADDONS: Readonly<Record<string, string>>;

const loaded = new Map<string, unknown>();

/** The addon's exports, loading it on first use. */
export function loadAddon(asset: string): unknown {
  let exports = loaded.get(asset);
  if (exports === undefined) {
    exports = dlopenFromCache(asset);
    loaded.set(asset, exports);
  }
  return exports;
}

/**
 * Where addons may be written, most specific first: AUTHFLOW_CACHE_DIR,
 * systemd's CacheDirectory= ($CACHE_DIRECTORY), $XDG_CACHE_HOME/authflow,
 * ~/.cache/authflow, then a per-user folder in the temp dir.
 */
function cacheDirCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs: string[] = [];
  if (env.AUTHFLOW_CACHE_DIR) dirs.push(resolve(env.AUTHFLOW_CACHE_DIR));
  const systemd = env.CACHE_DIRECTORY?.split(':')[0];
  if (systemd && isAbsolute(systemd)) dirs.push(systemd);
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) dirs.push(join(env.XDG_CACHE_HOME, 'authflow'));
  try {
    // Falls back to the passwd entry when HOME is unset.
    const home = homedir();
    if (home) dirs.push(join(home, '.cache', 'authflow'));
  } catch {
    // No home directory for this user: use the next candidate.
  }
  dirs.push(join(tmpdir(), `authflow-${currentUid()}`));
  return [...new Set(dirs)];
}

function dlopenFromCache(asset: string): unknown {
  const sha256 = AUTHFLOW_SEA_ADDONS[asset];
  if (!sha256 || !isSea()) throw new Error(`the native module ${asset} is not embedded in this program`);
  const tried: string[] = [];
  for (const dir of cacheDirCandidates()) {
    let file: string;
    try {
      file = materialize(dir, asset, sha256);
    } catch (e) {
      tried.push(`${dir} (${(e as Error).message})`);
      continue;
    }
    const module = { exports: {} as unknown };
    try {
      process.dlopen(module, file);
      return module.exports;
    } catch (e) {
      const message = (e as Error).message;
      // A filesystem mounted noexec refuses the mapping: try the next directory.
      if (!/failed to map segment|operation not permitted|permission denied/i.test(message)) throw e;
      tried.push(`${file} (${message})`);
    }
  }
  throw new Error(
    `cannot load the embedded native module ${asset}: tried ${tried.join('; ')}. ` +
      'Set AUTHFLOW_CACHE_DIR to a directory that only this user can write, on a filesystem that allows executable files.',
  );
}

/** Returns the path of a verified copy of the asset inside `dir`, writing it if needed. */
function materialize(dir: string, asset: string, sha256: string): string {
  ensurePrivateDir(dir);
  const file = join(dir, `${asset.replace(/\.node$/, '')}-${sha256}.node`);
  if (hashOf(file) === sha256) return file;

  const bytes = new Uint8Array(getRawAsset(asset));
  if (sha256Hex(bytes) !== sha256) throw new Error(`the embedded ${asset} does not match its recorded hash; the program file is damaged`);
  // Written under a unique name, then renamed into place: processes starting
  // at the same moment never see each other's half-written file.
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o500);
  try {
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
  } catch (e) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(temp, file);
  if (hashOf(file) !== sha256) throw new Error(`${file} changed while it was being written`);
  return file;
}

/** Creates `dir` (0700) and accepts it only if this user owns it and no one else may write to it. */
function ensurePrivateDir(dir: string): void {
  makeDirs(dir);
  const st = statSync(dir);
  if (!st.isDirectory()) throw new Error('not a directory');
  if (st.uid !== currentUid()) throw new Error('owned by another user');
  if (st.mode & 0o022) throw new Error(`writable by other users (mode ${(st.mode & 0o777).toString(8)})`);
  accessSync(dir, constants.W_OK);
}

/**
 * mkdir -p, one level at a time: `mkdirSync(…, { recursive: true })` never
 * returns for some paths (under /proc, for one), and start-up must not hang.
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; !existsSync(at); at = dirname(at)) {
    missing.push(at);
    if (dirname(at) === at) break;
  }
  for (const path of missing.reverse()) {
    try {
      mkdirSync(path, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

function hashOf(file: string): string | undefined {
  try {
    return sha256Hex(readFileSync(file));
  } catch {
    return undefined;
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function currentUid(): number {
  return process.getuid?.() ?? userInfo().uid;
}
