// Issue contract "Performance": lookups are cached in the server and a change
// made elsewhere — the CLI writing the same SQLite file, or another server on
// the same Postgres — reaches a running server within a second
// (SQLite: PRAGMA data_version; Postgres: LISTEN/NOTIFY).
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type Serving } from '../../src/app/index.ts';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { runCli } from './../helpers/cli.ts';
import { DATABASES, openTestAuthflow, type TestAuthflow } from '../helpers/server.ts';

async function until(check: () => Promise<boolean>, limitMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`not visible within ${limitMs} ms`);
}

describe.each(DATABASES)('changes made elsewhere reach a running server (%s)', (database) => {
  let t: TestAuthflow | undefined;
  let serving: Serving | undefined;
  afterEach(async () => {
    await serving?.stop();
    await t?.close();
    serving = t = undefined;
  });

  it('an API key revoked by the CLI is refused by the server within a second', async () => {
    t = await openTestAuthflow({ database });
    serving = await startServer(t.af, { host: '127.0.0.1', port: 0 });
    const { token, ...api_key } = await t.af.admin.apiKeys.create(LOCAL_ADMIN, { name: 'ci', scopes: ['tenants:read'] });
    const call = () => fetch(`${serving!.url}/api/v1/tenants`, { headers: { authorization: `Bearer ${token}` } });
    expect((await call()).status).toBe(200); // now cached by the server

    const env = database === 'postgres' ? { AUTHFLOW_DATABASE_URL: t.config.database.kind === 'postgres' ? t.config.database.url : '' } : {};
    const r = await runCli(['--data-dir', t.dataDir, '--yes', 'apikey', 'revoke', api_key.id], { env });
    expect(r.code, r.stderr).toBe(0);
    const ms = await until(async () => (await call()).status === 401, 1000);
    expect(ms).toBeLessThan(1000);
  });

  it('only configuration writes fire the change feed: token and usage writes leave the caches alone', async () => {
    t = await openTestAuthflow({ database });
    let fired = 0;
    const unsubscribe = t.af.database.changes.subscribe(() => fired++);
    try {
      await new Promise((r) => setTimeout(r, 300)); // a Postgres listener connects first
      fired = 0;
      const api_key = await t.af.admin.apiKeys.create(LOCAL_ADMIN, { name: 'usage', scopes: ['tenants:read'] });
      await until(async () => fired > 0, 1000);
      fired = 0;
      // Counting an API key's uses is a write, but not a configuration change.
      await t.af.repo.apiKeys.recordUse(api_key.id, 5, Date.now());
      await new Promise((r) => setTimeout(r, 600));
      expect(fired).toBe(0);
      // Renaming a tenant is.
      await t.af.admin.tenants.update(LOCAL_ADMIN, 'main', { name: 'Main' });
      await until(async () => fired > 0, 1000);
    } finally {
      unsubscribe();
    }
  });
});
