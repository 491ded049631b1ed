import { defineConfig } from 'vitest/config';

// `npm test`: everything that needs no external service, the fuzz suite at a CI
// size among it (`npm run fuzz` is the long run). Postgres suites run when
// AUTHFLOW_TEST_DATABASE_URL is set; e2e tests of the built binary have
// their own config (vitest.e2e.config.ts).
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/contract/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
