import { Unavailable } from '../../src/core/errors.ts';
// What only the embedded database does: one writer at a time across processes
// (docs/operations.md: "the CLI may write while the server runs"), a query-only reader,
// and a private database file.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/core/tenants/tenant.ts';
import { uuidv7 } from '../../src/crypto/index.ts';
import { createRepository } from '../../src/db/index.ts';
import { openHarness, startChild, type Child, type Harness } from '../helpers/contract.ts';

const LOCK_HOLDER = fileURLToPath(new URL('./fixtures/sqlite-lock-holder.ts', import.meta.url));

let n = 0;
const tenant = (): Tenant => {
  const slug = `sqlite-${++n}`;
  return { id: uuidv7(), slug, name: slug, customDomain: null, settings: {}, createdAt: 1, updatedAt: 1 };
};

describe('SQLite', () => {
  let h: Harness | undefined;
  let holder: Child | undefined;
  afterEach(async () => {
    holder?.kill();
    await holder?.exited;
    holder = undefined;
    await h?.close();
    h = undefined;
  });

  const path = () => (h!.target as { path: string }).path;

  // SQLite busy_timeout (https://sqlite.org/c3ref/busy_timeout.html): a writer
  // that finds the database locked retries for up to the timeout.
  it('a write while another process holds the write lock waits for it instead of failing', async () => {
    h = await openHarness('sqlite');
    holder = startChild(LOCK_HOLDER, [path(), '400']);
    await holder.line('locked');
    const started = Date.now();
    const t = tenant();
    await h.repo.tenants.insert(t);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(150);
    expect(await h.repo.tenants.byId(t.id)).toEqual(t);
  });

  it('gives up with Unavailable once its busy timeout has passed, without blocking the event loop', async () => {
    h = await openHarness('sqlite');
    const impatient = createRepository(await h.openAnother({ busyTimeoutMs: 50 }));
    holder = startChild(LOCK_HOLDER, [path(), '2000']);
    await holder.line('locked');
    const started = Date.now();
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const e = await impatient.tenants.insert(tenant()).then(
      () => undefined,
      (err: unknown) => err,
    );
    clearInterval(ticker);
    expect(e).toBeInstanceOf(Unavailable);
    expect((e as Error).message).toMatch(/locked by another process/);
    expect(Date.now() - started).toBeLessThan(1500);
    // The wait is asynchronous: timers kept firing while the lock was contended.
    expect(ticks).toBeGreaterThan(3);
  });

  it('reads go through a query-only connection: a write outside transaction() is refused', async () => {
    h = await openHarness('sqlite');
    const t = tenant();
    await expect(Promise.resolve().then(() => h!.database.db.insert(h!.database.schema.tenants).values(t))).rejects.toThrow(/readonly|read-only/i);
    expect(await h.repo.tenants.byId(t.id)).toBeUndefined();
  });

  it('the database file and its WAL are private (0600), in WAL mode (docs/operations.md)', async () => {
    h = await openHarness('sqlite');
    expect(statSync(path()).mode & 0o777).toBe(0o600);
    const raw = new BetterSqlite3(path(), { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
    await h.repo.tenants.insert(tenant());
    expect(statSync(`${path()}-wal`).mode & 0o077).toBe(0);
  });
});
