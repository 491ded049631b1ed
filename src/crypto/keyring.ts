import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { randomString } from './random.ts';

/**
 * The master key ring: AES-256-GCM keys, each with an id. The first key
 * encrypts; every key decrypts, so a rotation can re-encrypt at its own pace.
 *
 * Text form (file or AUTHFLOW_MASTER_KEY): `id:base64url[,id:base64url…]`,
 * the active key first.
 */
export interface KeyRing {
  readonly activeId: string;
  readonly ids: readonly string[];
  /** Encrypts `plaintext`, binding it to `context` (e.g. `signing_key:<id>`) as associated data. */
  encrypt(plaintext: string, context: string): string;
  /** Decrypts a value made by `encrypt` with the same `context`; throws KeyRingError otherwise. */
  decrypt(ciphertext: string, context: string): string;
  /** The key id a ciphertext was made with. */
  keyIdOf(ciphertext: string): string;
}

export class KeyRingError extends Error {
  override name = 'KeyRingError';
}

const VERSION = 'v1';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export function generateMasterKey(id = `mk${Date.now().toString(36)}${randomString(3)}`): string {
  return `${id}:${randomString(32)}`;
}

export function parseKeyRing(text: string): KeyRing {
  const entries = text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new KeyRingError('the master key is empty');
  const keys = new Map<string, Buffer>();
  for (const entry of entries) {
    const sep = entry.indexOf(':');
    const id = entry.slice(0, sep);
    const encoded = entry.slice(sep + 1);
    if (sep < 1 || !KEY_ID.test(id) || !/^[A-Za-z0-9_-]+$/.test(encoded)) throw new KeyRingError('a master key entry must look like "id:base64url-key"');
    const key = Buffer.from(encoded, 'base64url');
    if (key.length !== 32) throw new KeyRingError(`master key "${id}" must be 32 bytes (256 bits)`);
    if (keys.has(id)) throw new KeyRingError(`master key id "${id}" appears twice`);
    keys.set(id, key);
  }
  const ids = [...keys.keys()];
  const activeId = ids[0]!;

  const keyFor = (id: string): Buffer => {
    const key = keys.get(id);
    if (!key) throw new KeyRingError(`no master key with id "${id}" is configured`);
    return key;
  };

  return Object.freeze({
    activeId,
    ids,
    encrypt(plaintext: string, context: string) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keyFor(activeId), iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const packed = Buffer.concat([iv, body, cipher.getAuthTag()]);
      return `${VERSION}.${activeId}.${packed.toString('base64url')}`;
    },
    decrypt(ciphertext: string, context: string) {
      const parts = ciphertext.split('.');
      const [version, id, data] = parts;
      if (parts.length !== 3 || version !== VERSION || !id || !data) throw new KeyRingError('not an authflow ciphertext');
      const packed = Buffer.from(data, 'base64url');
      if (packed.length < 28) throw new KeyRingError('ciphertext is truncated');
      const decipher = createDecipheriv('aes-256-gcm', keyFor(id), packed.subarray(0, 12));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(packed.subarray(packed.length - 16));
      try {
        return Buffer.concat([decipher.update(packed.subarray(12, packed.length - 16)), decipher.final()]).toString('utf8');
      } catch {
        throw new KeyRingError('ciphertext does not authenticate under the master key');
      }
    },
    keyIdOf(ciphertext: string) {
      const [version, id] = ciphertext.split('.');
      if (version !== VERSION || !id) throw new KeyRingError('not an authflow ciphertext');
      return id;
    },
  });
}
