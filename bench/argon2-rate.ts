// The machine's raw argon2id rate at given parameters: `concurrency` hashes
// in flight through @node-rs/argon2's async API for a fixed time. Prints one
// JSON document (hashes/s and per-hash latency). Run by the bench as its own
// process, interleaved with the login runs it is compared with.
// Usage: node bench/argon2-rate.ts '{"seconds":5,"concurrency":4,"memoryCost":19456,"timeCost":2,"parallelism":1}'
import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import type { RunFigures } from './measure.ts';

const o = JSON.parse(process.argv[2]!) as { seconds: number; concurrency: number; memoryCost: number; timeCost: number; parallelism: number };
// @node-rs/argon2's Algorithm is an ambient const enum: 2 is argon2id.
const options = { algorithm: 2, memoryCost: o.memoryCost, timeCost: o.timeCost, parallelism: o.parallelism } as const;
const latencies: number[] = [];
const started = performance.now();
const deadline = started + o.seconds * 1000;

async function worker(): Promise<void> {
  while (performance.now() < deadline) {
    const t0 = performance.now();
    await hash(randomBytes(12).toString('base64url'), options);
    latencies.push(performance.now() - t0);
  }
}

await Promise.all(Array.from({ length: o.concurrency }, worker));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
const result: RunFigures = { rps: latencies.length / elapsed, p50ms: pct(50), p99ms: pct(99), errors: 0 };
process.stdout.write(`${JSON.stringify(result)}\n`);
