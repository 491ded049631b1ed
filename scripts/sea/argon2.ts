// Stands in for @node-rs/argon2 inside the single binary: the same functions,
// served by the addon embedded in the program instead of one found in
// node_modules. The addon loads on first use, so commands that never hash a
// password never touch the cache directory.
import type * as Argon2 from '@node-rs/argon2';
import { loadAddon } from './addon.ts';

type Binding = typeof Argon2;

const ADDON_ASSET = 'argon2.linux-x64-gnu.node';

let binding: Binding | undefined;
const native = (): Binding => (binding ??= loadAddon(ADDON_ASSET) as Binding);

// The package declares these as const enums; their values are fixed by the addon.
export const Algorithm = Object.freeze({ Argon2d: 0, Argon2i: 1, Argon2id: 2 });
export const Version = Object.freeze({ V0x10: 0, V0x13: 1 });

export const hash = (...args: Parameters<Binding['hash']>): ReturnType<Binding['hash']> => native().hash(...args);
export const hashSync = (...args: Parameters<Binding['hashSync']>): ReturnType<Binding['hashSync']> => native().hashSync(...args);
export const hashRaw = (...args: Parameters<Binding['hashRaw']>): ReturnType<Binding['hashRaw']> => native().hashRaw(...args);
export const hashRawSync = (...args: Parameters<Binding['hashRawSync']>): ReturnType<Binding['hashRawSync']> => native().hashRawSync(...args);
export const verify = (...args: Parameters<Binding['verify']>): ReturnType<Binding['verify']> => native().verify(...args);
export const verifySync = (...args: Parameters<Binding['verifySync']>): ReturnType<Binding['verifySync']> => native().verifySync(...args);
export const parseOptions = (...args: Parameters<Binding['parseOptions']>): ReturnType<Binding['parseOptions']> => native().parseOptions(...args);
