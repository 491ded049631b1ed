// Scheduled clean-up (src/core/housekeeping.ts): expired mailed tokens, ended
// rate-limit windows, abandoned interactions, long-expired authorization codes
// and old sent mail are deleted; everything still live stays. On SQLite and Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/app/index.ts';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { EXPIRED_CODE_RETENTION_MS, runHousekeeping, SENT_MAIL_RETENTION_MS, startHousekeeping } from '../../src/core/housekeeping.ts';
import type { Interaction } from '../../src/core/interaction/interaction.ts';
import { randomString, sha256, uuidv7 } from '../../src/crypto/index.ts';
import { DATABASES, openTestAuthflow, type TestAuthflow } from '../helpers/server.ts';

const MIN = 60_000;

describe.each(DATABASES)('housekeeping (%s)', (database) => {
  let t: TestAuthflow;
  let tenantId: string;
  let userId: string;
  beforeAll(async () => {
    t = await openTestAuthflow({ database });
    tenantId = (await t.af.repo.tenants.bySlug('main'))!.id;
    userId = (await t.af.admin.users.create(LOCAL_ADMIN, 'main', { email: 'house@example.com' })).id;
  });
  afterAll(async () => t?.close());

  const userToken = (now: number, expiresAt: number) => ({
    id: uuidv7(now), tenantId, userId, kind: 'reset_password' as const, tokenHash: sha256(randomString()), codeHash: null, data: {}, attempts: 0, createdAt: now - MIN, expiresAt, usedAt: null,
  });
  const interaction = (now: number, expiresAt: number): Interaction => ({
    id: uuidv7(now), tenantId, clientId: 'housekeeping-client', secretHash: sha256(randomString()), request: { client_id: 'housekeeping-client' } as unknown as Interaction['request'],
    step: 'identify', state: {}, userId: null, createdAt: now - MIN, expiresAt,
  });
  const code = (now: number, expiresAt: number) => ({
    codeHash: sha256(randomString()), tenantId, clientId: 'housekeeping-client', userId, grantId: uuidv7(now), sessionId: null, redirectUri: 'https://app.example/cb', scope: 'openid',
    nonce: null, codeChallenge: null, codeChallengeMethod: null, claims: null, authTime: now, acr: null, amr: ['pwd'], familyId: uuidv7(now), createdAt: now - MIN, expiresAt, usedAt: null,
  });
  const mail = (now: number, status: 'pending' | 'sent' | 'failed', sentAt: number | null) => ({
    id: uuidv7(now), tenantId, userId, kind: 'email' as const, recipient: 'house@example.com', subject: 'Hello', payload: { text: 'hi', html: '<p>hi</p>' },
    status, attempts: status === 'pending' ? 0 : 1, nextAttemptAt: now, claimedUntil: null, lastError: null, createdAt: now - 40 * 86_400_000, sentAt,
  });

  it('deletes expired user tokens, rate-limit windows, interactions, long-expired codes and old sent mail; keeps live ones', async () => {
    const { repo } = t.af;
    const now = Date.now();
    const expiredToken = userToken(now, now - 1);
    const liveToken = userToken(now, now + 10 * MIN);
    for (const tk of [expiredToken, liveToken]) await repo.userTokens.insert(tk);

    await repo.rateLimits.hit('hk:ended', 1000, now - 5000);
    await repo.rateLimits.hit('hk:live', 10 * MIN, now);

    const oldInteraction = interaction(now, now - 1);
    const liveInteraction = interaction(now, now + 10 * MIN);
    for (const i of [oldInteraction, liveInteraction]) await repo.interactions.insert(i);

    // A code expired a day ago goes; one that expired a minute ago stays (its replay is still recognised).
    const longExpired = code(now, now - EXPIRED_CODE_RETENTION_MS - MIN);
    const justExpired = code(now, now - MIN);
    for (const c of [longExpired, justExpired]) await repo.authCodes.insert(c);

    const oldSent = mail(now, 'sent', now - SENT_MAIL_RETENTION_MS - MIN);
    const recentSent = mail(now, 'sent', now - MIN);
    const oldFailed = mail(now, 'failed', null); // failed mail is kept for the operator
    const pending = mail(now, 'pending', null);
    for (const m of [oldSent, recentSent, oldFailed, pending]) await repo.outbox.enqueue(m);

    const counts = await runHousekeeping(repo, now);
    expect(counts).toEqual({ userTokens: 1, rateLimits: 1, interactions: 1, authCodes: 1, sentMail: 1 });

    expect(await repo.userTokens.byId(tenantId, expiredToken.id)).toBeUndefined();
    expect(await repo.userTokens.byId(tenantId, liveToken.id)).toBeDefined();
    expect((await repo.rateLimits.peek('hk:live', now)).count).toBe(1);
    expect(await repo.interactions.byId(tenantId, oldInteraction.id)).toBeUndefined();
    expect(await repo.interactions.byId(tenantId, liveInteraction.id)).toBeDefined();
    // consume() answers undefined only for an unknown code.
    expect(await repo.authCodes.consume(tenantId, longExpired.codeHash, now)).toBeUndefined();
    expect(await repo.authCodes.consume(tenantId, justExpired.codeHash, now)).toBeDefined();
    expect(await repo.outbox.byId(oldSent.id)).toBeUndefined();
    for (const m of [recentSent, oldFailed, pending]) expect(await repo.outbox.byId(m.id)).toBeDefined();

    // Idempotent: a second pass (another server on the same Postgres) finds nothing.
    expect(await runHousekeeping(repo, now)).toEqual({ userTokens: 0, rateLimits: 0, interactions: 0, authCodes: 0, sentMail: 0 });
  });

  it('two passes at once (two servers) delete each row once and both succeed', async () => {
    const now = Date.now();
    for (let i = 0; i < 20; i++) await t.af.repo.userTokens.insert(userToken(now, now - 1));
    const [a, b] = await Promise.all([runHousekeeping(t.af.repo, now), runHousekeeping(t.af.repo, now)]);
    expect(a.userTokens + b.userTokens).toBe(20);
  });

  it('the background schedule runs a first pass shortly after start, logs the counts (no emails or tokens), and stops', async () => {
    const now = Date.now();
    await t.af.repo.userTokens.insert(userToken(now, now - 1));
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const log = { debug: () => {}, info: (fields: Record<string, unknown>, message: string) => void lines.push({ fields, message }), warn: (fields: Record<string, unknown>, message: string) => void lines.push({ fields, message }) };
    const hk = startHousekeeping({ stores: t.af.repo, clock: t.af.clock, log, firstDelayMs: 20, intervalMs: 60 * MIN });
    try {
      await expect.poll(() => lines.length, { timeout: 5000 }).toBeGreaterThan(0);
      expect(lines[0]!.message).toBe('housekeeping: expired rows deleted');
      expect(lines[0]!.fields.deleted).toMatchObject({ userTokens: 1 });
      expect(JSON.stringify(lines)).not.toContain('house@example.com');
    } finally {
      await hk.stop();
    }
    const after = lines.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(lines.length).toBe(after);
  });
});

describe.each(DATABASES)('housekeeping in authflow serve (%s)', (database) => {
  it('startServer starts it and stop() ends it with the server', async () => {
    const t = await openTestAuthflow({ database });
    try {
      const serving = await startServer(t.af, { host: '127.0.0.1', port: 0 });
      // The first pass waits ~30 s after start; stop() must not wait for it.
      const started = Date.now();
      await serving.stop();
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await t.close();
    }
  });
});
