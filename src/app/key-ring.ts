import { readFileSync, statSync } from 'node:fs';
import type { Config } from '../config/index.ts';
import { Unavailable } from '../core/errors.ts';
import { parseKeyRing, type KeyRing, type KeyRingError } from '../crypto/index.ts';

export function loadKeyRing(config: Config): KeyRing {
  if (!config.masterKey.text) {
    throw new Unavailable(`no master key at ${config.masterKey.source}: run "authflow init", or set AUTHFLOW_MASTER_KEY or AUTHFLOW_MASTER_KEY_FILE`);
  }
  try {
    return parseKeyRing(config.masterKey.text);
  } catch (e) {
    throw new Unavailable(`the master key from ${config.masterKey.source} is unusable: ${(e as KeyRingError).message}`);
  }
}

/** True when the ring is read from a file (the data dir's master.key or AUTHFLOW_MASTER_KEY_FILE), so it can be rewritten and re-read. */
export function keyRingFile(config: Config): string | undefined {
  return config.masterKey.source === 'AUTHFLOW_MASTER_KEY' ? undefined : config.masterKey.source;
}

/**
 * A key ring that follows its file: after `secrets rotate-master-key`
 * rewrites it, a running server encrypts with the new active key (the file's
 * mtime is checked before each encryption, which is rare) and re-reads the
 * file when it meets a ciphertext under a key it does not know yet.
 */
export function followingKeyRing(config: Config): KeyRing {
  let ring = loadKeyRing(config);
  const file = keyRingFile(config);
  if (!file) return ring;
  const mtimeOf = () => {
    try {
      return statSync(file).mtimeMs;
    } catch {
      return 0;
    }
  };
  let mtime = mtimeOf();
  const reload = () => {
    try {
      ring = parseKeyRing(readFileSync(file, 'utf8'));
      mtime = mtimeOf();
    } catch {
      // Keep the ring we have: a half-written or removed file must not take the server down.
    }
  };
  return {
    get activeId() {
      return ring.activeId;
    },
    get ids() {
      return ring.ids;
    },
    encrypt(plaintext, context) {
      if (mtimeOf() !== mtime) reload();
      return ring.encrypt(plaintext, context);
    },
    decrypt(ciphertext, context) {
      if (!ring.ids.includes(ring.keyIdOf(ciphertext))) reload();
      return ring.decrypt(ciphertext, context);
    },
    keyIdOf: (ciphertext) => ring.keyIdOf(ciphertext),
  };
}
