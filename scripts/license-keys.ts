// The vendor keys a build trusts for licenses: src/crypto/license-keys.json
// plus, when given, the keys of another JWK Set file (AUTHFLOW_BUILD_LICENSE_KEYS
// for test builds). The result is compiled into the program as a constant;
// the program has no way to trust a key at run time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface KeySet {
  keys: Array<Record<string, unknown>>;
}

function readKeySet(file: string): KeySet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not a readable JSON file (${(e as Error).message})`, { cause: e });
  }
  const keys = (parsed as KeySet | null)?.keys;
  if (!Array.isArray(keys)) throw new Error(`${file}: not a JWK Set ({"keys":[…]})`);
  for (const k of keys) {
    if (k.kty !== 'OKP' || k.crv !== 'Ed25519' || typeof k.x !== 'string' || typeof k.kid !== 'string') throw new Error(`${file}: every key must be a public Ed25519 JWK with a kid`);
    if ('d' in k) throw new Error(`${file}: key ${String(k.kid)} holds a private part; embed public keys only`);
  }
  return { keys };
}

/** The shipped keys, plus those of `extraFile`, de-duplicated by kid. */
export function licenseKeySet(root: string, extraFile?: string): KeySet {
  const shipped = readKeySet(join(root, 'src', 'crypto', 'license-keys.json'));
  const extra = extraFile ? readKeySet(extraFile).keys : [];
  const byKid = new Map<string, Record<string, unknown>>();
  for (const k of [...shipped.keys, ...extra]) byKid.set(k.kid as string, { kty: k.kty, crv: k.crv, x: k.x, kid: k.kid, alg: 'EdDSA', use: 'sig' });
  return { keys: [...byKid.values()] };
}
