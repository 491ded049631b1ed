// Drives full sign-ins (authorization code + PKCE through the hosted login
// page, with the code exchange) against authflow for a fixed time from
// `concurrency` independent browsers, and prints one JSON document:
// logins/s and per-login latency. Run by the bench as its own process.
// Usage: node bench/login-driver.ts '{"target":{…},"concurrency":8,"seconds":5}'
import { keepAliveAgent } from './http.ts';
import type { RunFigures } from './measure.ts';
import { login, type LoginTarget } from './oidc-login.ts';

const { target, concurrency, seconds } = JSON.parse(process.argv[2]!) as { target: LoginTarget; concurrency: number; seconds: number };
const agent = keepAliveAgent(concurrency * 2);
const latencies: number[] = [];
let errors = 0;
let lastError = '';
const started = performance.now();
const deadline = started + seconds * 1000;

async function browser(): Promise<void> {
  while (performance.now() < deadline) {
    const t0 = performance.now();
    try {
      await login(target, agent);
      latencies.push(performance.now() - t0);
    } catch (e) {
      errors++;
      lastError = (e as Error).message;
      if (errors > 50 && errors > latencies.length) break;
    }
  }
}

await Promise.all(Array.from({ length: concurrency }, browser));
const elapsed = (performance.now() - started) / 1000;
agent.destroy();
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
const result: RunFigures & { logins: number; lastError?: string } = { rps: latencies.length / elapsed, p50ms: pct(50), p99ms: pct(99), errors, logins: latencies.length, ...(errors ? { lastError } : {}) };
process.stdout.write(`${JSON.stringify(result)}\n`);
