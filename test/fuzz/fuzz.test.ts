// Hostile requests over every route the app serves (seeded: FUZZ_SEED
// replays a run, FUZZ_COUNT changes its size). RFC 9110 §15.6: a 5xx says the
// server failed; no request, however malformed, may cause one, take the
// process down, get an answer that is not HTTP, or show internals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/server.ts';
import { seriousLogLines } from './logs.ts';
import { fuzz, seedFromEnv, summary } from './run.ts';
import { startTarget, type Target } from './target.ts';

// CI-sized: the long run is `npm run fuzz`.
const COUNT = { sqlite: Number(process.env.FUZZ_COUNT ?? 1500), postgres: Number(process.env.FUZZ_COUNT ?? 500) };

describe.each(DATABASES)('fuzz (%s)', (database) => {
  let target: Target;
  beforeAll(async () => {
    target = await startTarget(database);
  }, 60_000);
  afterAll(() => target?.close());

  it('finds every route of every surface in the app', () => {
    const paths = target.routes.map((r) => r.path);
    for (const p of ['/healthz', '/metrics', '/t/:tenant/token', '/t/:tenant/authorize', '/t/:tenant/login/:interaction', '/t/:tenant/account', '/api/v1/tenants/:tenant/users/:user']) expect(paths).toContain(p);
    expect(target.knowledge.params.interaction?.length).toBeGreaterThan(0);
    expect(target.knowledge.cookies.length).toBeGreaterThan(0);
  });

  it('answers every hostile request below 500, as HTTP, without internals, and stays alive', async () => {
    const seed = seedFromEnv();
    const report = await fuzz(target, { seed, count: COUNT[database], concurrency: 8 });
    console.log(summary(report));
    const failures = report.failures.map((f) => `#${f.index} ${f.label}: ${f.problem}\n${JSON.stringify(f.request).slice(0, 2000)}`);
    expect(failures, `FUZZ_SEED=${seed}`).toEqual([]);
    expect(report.requests).toBe(COUNT[database]);
    expect(seriousLogLines(target.logs), `FUZZ_SEED=${seed}`).toEqual([]);
  }, 180_000);
});
