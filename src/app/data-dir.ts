import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MASTER_KEY_FILE_NAME, type Config } from '../config/index.ts';
import { NotFound, NotPermitted } from '../core/errors.ts';

/** Problems with who may read the data dir and the master key, each with the command that fixes it. */
export function dataDirProblems(dataDir: string): string[] {
  const problems: string[] = [];
  if (!existsSync(dataDir)) return problems;
  const mode = statSync(dataDir).mode & 0o777;
  if (mode & 0o007) problems.push(`${dataDir} is accessible to every user (mode ${mode.toString(8)}); fix it with: chmod 700 ${dataDir}`);
  const keyFile = join(dataDir, MASTER_KEY_FILE_NAME);
  if (existsSync(keyFile)) {
    const keyMode = statSync(keyFile).mode & 0o777;
    if (keyMode & 0o077) problems.push(`${keyFile} is readable by other users (mode ${keyMode.toString(8)}); fix it with: chmod 600 ${keyFile}`);
  }
  return problems;
}

/** Refuses to run on an unsafe or missing install (serve's start-up check). */
export function assertUsableInstall(config: Config): void {
  const fromEnv = config.masterKey.source !== join(config.dataDir, MASTER_KEY_FILE_NAME);
  if (!existsSync(config.dataDir) && !fromEnv) throw new NotFound(`no authflow install at ${config.dataDir}: run "authflow init" first (or pass --data-dir)`);
  const problems = dataDirProblems(config.dataDir);
  if (problems.length) throw new NotPermitted(`refusing to serve: ${problems.join('; ')}`);
}
