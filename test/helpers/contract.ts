import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { applyMigrations, createRepository, openDatabase, type Database, type DatabaseTarget, type OpenOptions } from '../../src/db/index.ts';
import type { Repository } from '../../src/core/ports.ts';
import { generateMasterKey, parseKeyRing, type KeyRing } from '../../src/crypto/index.ts';
import { createPgDatabase, PG_URL, tempDir } from './db.ts';

export type Dialect = 'sqlite' | 'postgres';

/** The dialects this run can exercise: SQLite always, Postgres when AUTHFLOW_TEST_DATABASE_URL is set. */
export const DIALECTS: readonly Dialect[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/** A fresh, empty database of one dialect (a temp SQLite file, or a brand-new Postgres database). */
export interface FreshTarget {
  readonly target: DatabaseTarget;
  cleanup(): Promise<void>;
}

export async function freshTarget(dialect: Dialect): Promise<FreshTarget> {
  if (dialect === 'sqlite') {
    const dir = tempDir('authflow-contract-');
    return { target: { kind: 'sqlite', path: join(dir.path, 'authflow.db') }, cleanup: async () => dir.cleanup() };
  }
  const pg = await createPgDatabase();
  return { target: { kind: 'postgres', url: pg.url }, cleanup: () => pg.drop() };
}

export interface Harness {
  readonly dialect: Dialect;
  readonly target: DatabaseTarget;
  readonly database: Database;
  readonly repo: Repository;
  readonly keyRing: KeyRing;
  /** Opens another, independent handle on the same database (closed by `close`). */
  openAnother(options?: OpenOptions): Promise<Database>;
  close(): Promise<void>;
}

/** A fresh database with the real migrations applied, plus a repository and a key ring over it. */
export async function openHarness(dialect: Dialect, options: { migrate?: boolean; open?: OpenOptions } = {}): Promise<Harness> {
  const fresh = await freshTarget(dialect);
  const handles: Database[] = [];
  const open = async (o?: OpenOptions) => {
    const d = await openDatabase(fresh.target, { create: true, ...(o ?? options.open ?? {}) });
    handles.push(d);
    return d;
  };
  const database = await open();
  if (options.migrate !== false) await applyMigrations(database);
  return {
    dialect,
    target: fresh.target,
    database,
    repo: createRepository(database),
    keyRing: parseKeyRing(generateMasterKey('test')),
    openAnother: open,
    async close() {
      for (const h of handles.reverse()) await h.close().catch(() => {});
      await fresh.cleanup();
    },
  };
}

/** A running helper process speaking a line protocol on stdout/stdin (see test/contract/fixtures). */
export interface Child {
  /** Resolves with the next stdout line that starts with `prefix`. */
  line(prefix: string): Promise<string>;
  send(text: string): void;
  exited: Promise<number | null>;
  kill(): void;
}

/** Starts `node <script> ...args`; TypeScript runs directly (type stripping), like `bin/authflow.ts`. */
export function startChild(script: string, args: readonly string[]): Child {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const proc = spawn(process.execPath, [script, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: Array<{ prefix: string; resolve: (l: string) => void }> = [];
  let stderr = '';
  let buffer = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const l = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const w = waiters.findIndex((x) => l.startsWith(x.prefix));
      if (w >= 0) waiters.splice(w, 1)[0]!.resolve(l);
      else lines.push(l);
    }
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    line(prefix) {
      const i = lines.findIndex((l) => l.startsWith(prefix));
      if (i >= 0) return Promise.resolve(lines.splice(i, 1)[0]!);
      return new Promise((resolve, reject) => {
        waiters.push({ prefix, resolve });
        void exited.then((code) => reject(new Error(`${script} exited (${code}) before printing "${prefix}": ${stderr.trim()}`)));
      });
    },
    send(text) {
      proc.stdin.write(text);
    },
    exited,
    kill() {
      if (proc.exitCode === null) proc.kill();
    },
  };
}
