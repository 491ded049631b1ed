import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { licenseKeySet } from './scripts/license-keys.ts';

// `npm test`: everything that needs no external service, the fuzz suite at a CI
// size among it (`npm run fuzz` is the long run). Postgres suites run when
// AUTHFLOW_TEST_DATABASE_URL is set; e2e tests of the built binary have
// their own config (vitest.e2e.config.ts).
//
// Licenses: the program's trusted vendor keys are a compile-time constant
// (AUTHFLOW_LICENSE_KEYS, see scripts/license-keys.ts). The test run compiles
// the sources with the shipped keys plus the test vendor key, exactly as
// `AUTHFLOW_BUILD_LICENSE_KEYS=test/fixtures/licensing/test-vendor-keys.json npm run build`
// does for the binary.
export default defineConfig({
  define: {
    AUTHFLOW_LICENSE_KEYS: JSON.stringify(licenseKeySet(import.meta.dirname, join(import.meta.dirname, 'test', 'fixtures', 'licensing', 'test-vendor-keys.json'))),
  },
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/contract/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
