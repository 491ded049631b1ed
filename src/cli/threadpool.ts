// libuv's thread pool runs argon2 hashing, WebCrypto signing and file work.
// Its default of 4 threads lets a burst of sign-ins (each hash ~14 ms of one
// core) queue token signing behind it. The pool gets a few threads more than
// the machine has cores, and the password hasher keeps at most one hash per
// core in flight (src/crypto/password.ts), so some threads are always free.
// It must be set before the pool's first use: this module is imported first.
import { availableParallelism } from 'node:os';

process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism() + 4));
