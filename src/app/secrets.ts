import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import type { Config } from '../config/index.ts';
import { NotPermitted } from '../core/errors.ts';
import { masterKeysInUse, reencryptSecrets } from '../core/keys/reencrypt.ts';
import { generateMasterKey, parseKeyRing, randomString } from '../crypto/index.ts';
import { createRepository, openDatabase } from '../db/index.ts';
import { keyRingFile, loadKeyRing } from './key-ring.ts';

export interface RotationResult {
  readonly active_key_id: string;
  readonly reencrypted: { readonly signing_keys: number };
  /** Master key ids removed from the ring (only with dropOld). */
  readonly dropped: readonly string[];
  readonly file: string;
}

/** Writes the ring file atomically (temp file, fsync, rename), mode 0600. */
function writeRingFile(file: string, entries: readonly string[]): void {
  const tmp = `${file}.${randomString(6)}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${entries.join('\n')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/**
 * Rotates the master key without downtime: a new key is put first in the
 * ring file (running servers follow the file), every secret is re-encrypted
 * under it, and — with `dropOld` — keys no ciphertext uses any more are removed.
 */
export async function rotateMasterKey(config: Config, options: { dropOld?: boolean } = {}): Promise<RotationResult> {
  const file = keyRingFile(config);
  if (!file) {
    throw new NotPermitted(
      'the master key comes from AUTHFLOW_MASTER_KEY, which authflow cannot rewrite: run "authflow secrets generate-master-key", put its output first in AUTHFLOW_MASTER_KEY on every server, restart them, then run "authflow secrets reencrypt"',
    );
  }
  const old = loadKeyRing(config);
  const entries = config.masterKey.text!.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
  const fresh = generateMasterKey();
  writeRingFile(file, [fresh, ...entries]);
  const ring = parseKeyRing([fresh, ...entries].join(','));

  const database = await openDatabase(config.database);
  try {
    const repo = createRepository(database);
    const reencrypted = await reencryptSecrets(repo, ring);
    let dropped: string[] = [];
    if (options.dropOld) {
      const used = await masterKeysInUse(repo, ring);
      const keep = [fresh, ...entries.filter((e) => used.has(e.slice(0, e.indexOf(':'))))];
      dropped = old.ids.filter((id) => !used.has(id));
      writeRingFile(file, keep);
    }
    return { active_key_id: ring.activeId, reencrypted: { signing_keys: reencrypted.signingKeys }, dropped, file };
  } finally {
    await database.close();
  }
}

/** Re-encrypts every secret under the ring's current active key (after adding a key to AUTHFLOW_MASTER_KEY by hand). */
export async function reencryptAll(config: Config): Promise<{ active_key_id: string; reencrypted: { signing_keys: number } }> {
  const ring = loadKeyRing(config);
  const database = await openDatabase(config.database);
  try {
    const r = await reencryptSecrets(createRepository(database), ring);
    return { active_key_id: ring.activeId, reencrypted: { signing_keys: r.signingKeys } };
  } finally {
    await database.close();
  }
}

export { generateMasterKey };
