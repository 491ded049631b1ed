// Runs autocannon once in this process (the bench's load generator when wrk
// is not installed) and prints the result as one JSON document.
// Usage: node bench/autocannon-run.ts '<LoadSpec JSON>'
import autocannon from 'autocannon';
import type { LoadResult, LoadSpec } from './load.ts';

const spec = JSON.parse(process.argv[2]!) as LoadSpec;
const r = await autocannon({
  url: spec.url,
  method: spec.method,
  headers: spec.headers ?? {},
  ...(spec.body !== undefined ? { body: spec.body } : {}),
  connections: spec.connections,
  duration: spec.seconds,
});
const result: LoadResult = {
  requests: r.requests.total,
  rps: r.requests.total / r.duration,
  p50ms: r.latency.p50,
  p99ms: r.latency.p99,
  errors: r.errors + r.timeouts + r.non2xx,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
