import { hash, verify } from '@node-rs/argon2';

/** argon2id cost parameters (DESIGN §4 defaults: m=19456 KiB, t=2, p=1). */
export interface Argon2Params {
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

export const DEFAULT_ARGON2: Argon2Params = Object.freeze({ memoryCost: 19456, timeCost: 2, parallelism: 1 });

// @node-rs/argon2 exposes Algorithm as an ambient const enum; 2 is argon2id.
const ARGON2ID = 2;

/** Hashes and verifies human passwords with argon2id, off the event loop. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(encoded: string, password: string): Promise<boolean>;
  /** True when `encoded` was made with other parameters and should be rehashed after a successful login. */
  needsRehash(encoded: string): boolean;
}

export function createPasswordHasher(params: Argon2Params = DEFAULT_ARGON2): PasswordHasher {
  const options = { algorithm: ARGON2ID, ...params } as const;
  const marker = `$argon2id$v=19$m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}$`;
  return {
    hash: (password) => hash(password, options),
    verify: async (encoded, password) => {
      try {
        return await verify(encoded, password);
      } catch {
        return false;
      }
    },
    needsRehash: (encoded) => !encoded.startsWith(marker),
  };
}
