import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { randomString } from '../../src/crypto/index.ts';

/** Set by CI (and by anyone with a Postgres at hand): Postgres suites run only then. */
export const PG_URL: string | undefined = process.env.AUTHFLOW_TEST_DATABASE_URL || undefined;

/** A private temp dir (0700), removed by the returned cleanup. */
export function tempDir(prefix = 'authflow-test-'): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A brand-new Postgres database on the server of AUTHFLOW_TEST_DATABASE_URL,
 * so parallel test files and CI runs never share state. Drop it when done.
 */
export async function createPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!PG_URL) throw new Error('AUTHFLOW_TEST_DATABASE_URL is not set');
  const name = `authflow_t_${randomString(8).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
