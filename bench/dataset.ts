// The scale data set: an install provisioned exactly like the empty one, plus
// N tenants (created through the management API, so each has real signing
// keys) and M users spread over them (one bulk SQL insert into the SQLite
// file with the server stopped, into the real schema that `init` created,
// every user with the same precomputed argon2id password hash).
// Cached under bench/.cache/, keyed by the migration list and the sizes;
// each run works on a copy.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hash } from '@node-rs/argon2';
import Database from 'better-sqlite3';
import { request } from './http.ts';
import { copyDataDir, provision, serveAuthflow, type Provisioned } from './peers/authflow.ts';

/** Bumped when what a cached data set holds changes. */
const FORMAT = 2;

export interface DatasetSize {
  readonly users: number;
  readonly tenants: number;
}

export interface Dataset {
  /** A private copy of the cached data dir for this run. */
  readonly dataDir: string;
  readonly provisioned: Provisioned;
  readonly cached: boolean;
  readonly generateSeconds: number | null;
  readonly dbMiB: number;
}

/** The migrations `init` applies (the repository's SQLite migration files), as one key. */
function migrationKey(root: string): string {
  const dir = join(root, 'src', 'db', 'migrations', 'sqlite');
  const h = createHash('sha256');
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) h.update(f).update('\0').update(readFileSync(join(dir, f))).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** A UUIDv7-shaped id, in creation order (ids are time-ordered text keys in the schema). */
function uuidv7(ms: number, seq: number): string {
  const hex = ms.toString(16).padStart(12, '0') + (0x7000 | (seq >>> 20 & 0xfff)).toString(16) + ((0x8000 | (seq >>> 8 & 0x3fff)).toString(16)) + (seq & 0xff).toString(16).padStart(2, '0') + randomBytes(5).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

async function createTenants(url: string, adminKey: string, count: number, progress: (s: string) => void): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const r = await request(`${url}/api/v1/tenants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ slug: `scale-${String(i).padStart(5, '0')}`, name: `Scale tenant ${i}` }),
      });
      if (r.status !== 201) throw new Error(`creating tenant ${i}: ${r.status} ${r.text.slice(0, 300)}`);
      if (++done % 100 === 0) progress(`    ${done}/${count} tenants`);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

/** Users (and their password credential) spread evenly over every tenant, in one transaction. */
function insertUsers(dbFile: string, users: number, passwordHash: string, progress: (s: string) => void): void {
  const db = new Database(dbFile);
  try {
    db.pragma('synchronous = OFF');
    const tenants = (db.prepare('SELECT id FROM tenants ORDER BY id').all() as { id: string }[]).map((t) => t.id);
    const insertUser = db.prepare(
      `INSERT INTO users (id, tenant_id, email, email_verified, phone, phone_verified, name, given_name, family_name, locale, picture, attributes, external_id, disabled, created_at, updated_at, last_login_at)
       VALUES (?, ?, ?, 1, NULL, 0, ?, NULL, NULL, NULL, NULL, '{}', NULL, 0, ?, ?, NULL)`,
    );
    const insertCredential = db.prepare(`INSERT INTO credentials (id, user_id, tenant_id, kind, secret, data, created_at, last_used_at) VALUES (?, ?, ?, 'password', ?, '{}', ?, NULL)`);
    const now = Date.now() - 86_400_000;
    let seq = 0;
    const perTenant = Math.floor(users / tenants.length);
    const batch = db.transaction((tenantIds: string[], first: number) => {
      for (const [k, tenantId] of tenantIds.entries()) {
        const count = perTenant + (first + k < users % tenants.length ? 1 : 0);
        for (let n = 0; n < count; n++) {
          const ms = now + Math.floor(seq / 1000);
          const id = uuidv7(ms, seq++);
          insertUser.run(id, tenantId, `user${n}@t${first + k}.scale.example`, `User ${n}`, ms, ms);
          insertCredential.run(uuidv7(ms, seq++), id, tenantId, passwordHash, ms);
        }
      }
    });
    const step = Math.max(1, Math.ceil(tenants.length / 10));
    for (let i = 0; i < tenants.length; i += step) {
      batch(tenants.slice(i, i + step), i);
      progress(`    users: ${Math.min(users, (i + step) * perTenant)}/${users}`);
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

export async function scaleDataset(o: { root: string; binary: string; env: NodeJS.ProcessEnv; size: DatasetSize; runDir: string; progress: (s: string) => void }): Promise<Dataset> {
  const key = `${migrationKey(o.root)}-f${FORMAT}-u${o.size.users}-t${o.size.tenants}`;
  const cacheRoot = join(o.root, 'bench', '.cache');
  const cached = join(cacheRoot, `dataset-${key}`);
  let generateSeconds: number | null = null;
  const hit = existsSync(join(cached, 'provisioned.json'));
  if (!hit) {
    const started = performance.now();
    o.progress(`  generating the scale data set (${o.size.users} users, ${o.size.tenants} tenants) into ${cached}`);
    const staging = `${cached}.tmp-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const dataDir = join(staging, 'data');
    const provisioned = await provision(o.binary, o.env, dataDir);
    // `init` made "main", provisioning made "bench": the rest through the management API.
    const server = await serveAuthflow(o.binary, o.env, dataDir, o.runDir, 'authflow-dataset');
    try {
      await createTenants(server.url, provisioned.adminKey, o.size.tenants - 2, o.progress);
    } finally {
      await server.proc.stop();
    }
    const passwordHash = await hash(randomBytes(12).toString('base64url'), { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    insertUsers(join(dataDir, 'authflow.db'), o.size.users, passwordHash, o.progress);
    writeFileSync(join(staging, 'provisioned.json'), `${JSON.stringify(provisioned, null, 2)}\n`);
    rmSync(cached, { recursive: true, force: true });
    renameSync(staging, cached);
    generateSeconds = (performance.now() - started) / 1000;
  }
  const dataDir = join(o.runDir, 'scale-data');
  copyDataDir(join(cached, 'data'), dataDir);
  const provisioned = JSON.parse(readFileSync(join(cached, 'provisioned.json'), 'utf8')) as Provisioned;
  return { dataDir, provisioned, cached: hit, generateSeconds, dbMiB: statSync(join(dataDir, 'authflow.db')).size / 2 ** 20 };
}
