import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { CONFIG_FILE_NAME, MASTER_KEY_FILE_NAME, databaseTarget, loadConfig, type RawConfig } from '../config/index.ts';
import { createApiKey } from '../core/apikeys/create-api-key.ts';
import { systemClock } from '../core/clock.ts';
import { Conflict, Unavailable } from '../core/errors.ts';
import { createTenant } from '../core/tenants/create-tenant.ts';
import { discoveryUrlOf, issuerOf } from '../core/tenants/tenant.ts';
import { generateMasterKey, parseKeyRing, randomString } from '../crypto/index.ts';
import { applyMigrations, createRepository, openDatabase } from '../db/index.ts';

export const ADMIN_CREDENTIALS_FILE = 'initial-admin-credentials.txt';

export interface InitAnswers {
  readonly dataDir: string;
  readonly publicUrl: string;
  readonly tenantSlug: string;
  readonly adminEmail?: string | undefined;
  /** Postgres URL; omitted for the embedded SQLite database. */
  readonly databaseUrl?: string | undefined;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
}

export interface InitResult {
  readonly dataDir: string;
  readonly configFile: string;
  readonly database: 'sqlite' | 'postgres';
  readonly tenant: { readonly id: string; readonly slug: string; readonly issuer: string; readonly discovery_url: string };
  readonly signingKeys: readonly { readonly kid: string; readonly alg: string }[];
  /** The instance-admin API key, shown once; also written (0600) to `credentialsFile`. */
  readonly adminApiKey: string;
  readonly credentialsFile: string;
}

/**
 * mkdir -p, one level at a time (0700 for what it creates). Node's recursive
 * mkdir can spin forever on some paths (/proc, stale mounts); this fails fast.
 */
function makeDirs(path: string): void {
  if (existsSync(path)) return;
  const parent = dirname(path);
  if (parent !== path) makeDirs(parent);
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Unavailable(`cannot create the data dir ${path}: ${(e as Error).message}`);
  }
}

function settingsOf(answers: InitAnswers): Record<string, unknown> & RawConfig {
  const settings: Record<string, unknown> & RawConfig = { public_url: answers.publicUrl };
  if (answers.host) settings.host = answers.host;
  if (answers.port !== undefined) settings.port = answers.port;
  if (answers.adminEmail) settings.admin_email = answers.adminEmail;
  if (answers.databaseUrl) settings.database_url = answers.databaseUrl;
  return settings;
}

/** True when the data dir already holds an install (config, master key or database). */
export function isInitialized(dataDir: string): boolean {
  return [CONFIG_FILE_NAME, MASTER_KEY_FILE_NAME, 'authflow.db'].some((f) => existsSync(join(dataDir, f)));
}

/**
 * Creates a new install. Everything is built in a staging folder inside the
 * data dir and moved into place only when all of it succeeded, so a failure
 * leaves the data dir as it was (and the database untouched: the tenant,
 * keys and admin key are written in one transaction).
 */
export async function initialize(answers: InitAnswers): Promise<InitResult> {
  const { dataDir } = answers;
  if (isInitialized(dataDir)) throw new Conflict(`${dataDir} already holds an authflow install; refusing to overwrite it`);
  const settings = settingsOf(answers);
  // Check the answers as the flags they came from, before anything is created.
  loadConfig({ dataDir: join(dataDir, '.init-check-nonexistent'), env: {}, flags: settings });
  const createdDir = !existsSync(dataDir);
  makeDirs(dataDir);
  // An existing (empty) dir may be world-readable; serve would refuse it.
  if (!createdDir) chmodSync(dataDir, 0o700);
  const stage = join(dataDir, `.init-${randomString(6)}`);
  mkdirSync(stage, { mode: 0o700 });
  try {
    const masterKey = generateMasterKey();
    writeFileSync(join(stage, MASTER_KEY_FILE_NAME), `${masterKey}\n`, { mode: 0o600 });
    writeFileSync(join(stage, CONFIG_FILE_NAME), `# authflow configuration. Environment (AUTHFLOW_*) and flags override it.\n${stringify(settings)}`, { mode: 0o600 });
    // Validate what was written exactly as `serve` will read it.
    const config = loadConfig({ dataDir: stage, env: {} });

    const database = await openDatabase(databaseTarget(answers.databaseUrl, stage), { create: true });
    let result: Omit<InitResult, 'dataDir' | 'configFile' | 'credentialsFile'>;
    try {
      await applyMigrations(database);
      const repo = createRepository(database);
      const keyRing = parseKeyRing(masterKey);
      result = await repo.transaction(async (stores) => {
        if ((await stores.tenants.count()) > 0) throw new Conflict('the database already holds an authflow install; point this data dir at it with its master key instead of running init');
        const { tenant, keys } = await createTenant({ repo, keyRing, clock: systemClock }, { slug: answers.tenantSlug });
        const { token } = await createApiKey(
          { stores, clock: systemClock },
          { tenantId: null, name: answers.adminEmail ? `initial admin (${answers.adminEmail})` : 'initial admin', scopes: ['*'] },
        );
        const issuer = issuerOf(tenant, config.publicUrl);
        return {
          database: database.kind,
          tenant: { id: tenant.id, slug: tenant.slug, issuer, discovery_url: discoveryUrlOf(issuer) },
          signingKeys: keys.map((k) => ({ kid: k.kid, alg: k.alg })),
          adminApiKey: token,
        };
      });
    } finally {
      await database.close();
    }
    writeFileSync(
      join(stage, ADMIN_CREDENTIALS_FILE),
      [
        '# authflow initial admin credentials. Store the key somewhere safe, then delete this file.',
        `# Instance-admin API key (all scopes), for the management API and the remote CLI (AUTHFLOW_API_KEY):`,
        result.adminApiKey,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    for (const entry of readdirSync(stage)) renameSync(join(stage, entry), join(dataDir, entry));
    rmSync(stage, { recursive: true, force: true });
    return { ...result, dataDir, configFile: join(dataDir, CONFIG_FILE_NAME), credentialsFile: join(dataDir, ADMIN_CREDENTIALS_FILE) };
  } catch (e) {
    rmSync(stage, { recursive: true, force: true });
    if (createdDir) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}
