import { defineConfig } from 'vitest/config';

// End-to-end tests of the built single binary (dist/authflow): run after `npm run build`.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
