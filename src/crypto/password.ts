import { hash, verify } from '@node-rs/argon2';
import { availableParallelism } from 'node:os';
import { verifyPasswordHash } from './foreign-hash.ts';

/** argon2id cost parameters (docs/security.md defaults: m=19456 KiB, t=2, p=1). */
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
  /** Any accepted format (argon2id, argon2i, bcrypt, scrypt, PBKDF2: see foreign-hash.ts), dispatched by prefix. */
  verify(encoded: string, password: string): Promise<boolean>;
  /** True when `encoded` is not argon2id with the current parameters (other parameters, or an imported format) and should be rehashed after a successful login. */
  needsRehash(encoded: string): boolean;
}

/**
 * At most `inFlight` argon2 computations at once (default: one per core);
 * the rest wait their turn. More in flight would not hash faster, and would
 * hold every thread of libuv's pool that token signing also needs.
 */
export function createPasswordHasher(params: Argon2Params = DEFAULT_ARGON2, inFlight = availableParallelism()): PasswordHasher {
  const options = { algorithm: ARGON2ID, ...params } as const;
  const marker = `$argon2id$v=19$m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}$`;
  const turn = lanes(inFlight);
  return {
    hash: (password) => turn(() => hash(password, options)),
    // argon2 hashes may be our own (any parameters this config ever allowed): verified without the import caps.
    verify: async (encoded, password) => {
      if (!encoded.startsWith('$argon2')) return verifyPasswordHash(encoded, password);
      try {
        return await turn(() => verify(encoded, password));
      } catch {
        return false;
      }
    },
    needsRehash: (encoded) => !encoded.startsWith(marker),
  };
}

/** Runs at most `n` tasks at once, the others in arrival order. */
function lanes(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
