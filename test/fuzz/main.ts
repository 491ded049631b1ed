// `npm run fuzz`: the long run (FUZZ_COUNT requests, default 100,000) against a
// fresh SQLite install, or Postgres with FUZZ_DATABASE=postgres (the database
// server of AUTHFLOW_TEST_DATABASE_URL). FUZZ_SEED replays a run; FUZZ_ONLY=3,17
// replays single requests of it. Exits 1 when anything broke a rule.
import { fuzz, seedFromEnv, summary } from './run.ts';
import { seriousLogLines } from './logs.ts';
import { startTarget } from './target.ts';

const count = Number(process.env.FUZZ_COUNT ?? 100_000);
const seed = seedFromEnv();
const only = process.env.FUZZ_ONLY ? process.env.FUZZ_ONLY.split(',').map(Number) : undefined;
const database = process.env.FUZZ_DATABASE === 'postgres' ? 'postgres' : 'sqlite';
const concurrency = Number(process.env.FUZZ_CONCURRENCY ?? 16);

console.log(`fuzz: seed ${seed}, ${only ? `requests ${only.join(',')} of ` : ''}${count} requests, ${database}, ${concurrency} at a time`);
const target = await startTarget(database);
let failed: boolean;
try {
  const report = await fuzz(target, { seed, count, concurrency, only, maxFailures: 200, onProgress: (n) => n % 10_000 === 0 && console.log(`… ${n}`) });
  console.log(summary(report));
  if (process.env.FUZZ_SLOWEST) for (const [ms, what] of report.slowest) console.log(`  ${ms} ms ${what}`);
  for (const f of report.failures) console.log(`\n#${f.index} ${f.label}\n  ${f.problem}\n  ${JSON.stringify(f.request)}`);
  const lines = seriousLogLines(target.logs);
  console.log(`log lines: ${target.logs.count}, warn or above: ${target.logs.serious.length}, unexplained: ${lines.length}`);
  for (const l of lines.slice(0, 20)) console.log(`  ${JSON.stringify(l).slice(0, 600)}`);
  failed = report.failures.length > 0 || lines.length > 0;
} finally {
  await target.close();
}
process.exit(failed ? 1 : 0);
