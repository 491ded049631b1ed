import type { Logger } from 'pino';
import type { Config } from '../config/index.ts';
import { createAdmin, type Admin } from '../core/admin/index.ts';
import { createMailDeps } from './mail.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Repository } from '../core/ports.ts';
import { createPasswordHasher, type KeyRing, type PasswordHasher } from '../crypto/index.ts';
import { followingKeyRing } from './key-ring.ts';
import { applyMigrations, createRepository, openDatabase, type Database } from '../db/index.ts';
import { createLogger } from './logger.ts';
import { currentLicenseState } from './licensing.ts';

/** Everything a command or the server needs, built once from a Config. */
export interface Authflow {
  readonly config: Config;
  readonly database: Database;
  readonly repo: Repository;
  readonly keyRing: KeyRing;
  readonly passwords: PasswordHasher;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Management use-cases (tenants, clients, keys, API keys) shared by the CLI and the API. */
  readonly admin: Admin;
  /** Queues mail in the outbox (composed from templates/email); the sender started by serve delivers it. */
  readonly mail: ReturnType<typeof createMailDeps>;
  close(): Promise<void>;
}

export interface OpenOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Apply pending migrations on open (default true). */
  readonly migrate?: boolean;
  /** Create the SQLite file when missing (serve does; management commands do not). */
  readonly create?: boolean;
}

/** Opens the database (migrating it unless told not to) and wires the core around it. */
export async function openAuthflow(config: Config, options: OpenOptions = {}): Promise<Authflow> {
  const keyRing = followingKeyRing(config);
  const logger = options.logger ?? createLogger(config);
  const database = await openDatabase(config.database, { create: options.create ?? false });
  try {
    if (options.migrate !== false) {
      const applied = await applyMigrations(database);
      if (applied.length) logger.info({ migrations: applied }, 'database migrated');
    }
  } catch (e) {
    await database.close();
    throw e;
  }
  const repo = createRepository(database);
  const clock = options.clock ?? systemClock;
  const passwords = createPasswordHasher(config.argon2);
  const mail = createMailDeps(clock);
  return {
    config,
    database,
    repo,
    keyRing,
    passwords,
    clock,
    logger,
    admin: createAdmin({ repo, keyRing, clock, publicUrl: config.publicUrl, passwords, mail, licenses: () => currentLicenseState({ config, repo, clock }) }),
    mail,
    close: () => database.close(),
  };
}
