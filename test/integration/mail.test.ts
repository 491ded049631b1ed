// Email delivery: queueEmail writes the outbox inside the caller's
// transaction; the background sender delivers it over real SMTP (smtp-server
// as the receiving MTA, nodemailer as the client), retries 4xx and network
// errors with backoff, gives up on 5xx at once (RFC 5321 §4.2.1: 5yz is a
// permanent negative completion reply, 4yz a transient one), and never sends
// one item twice when two senders share a Postgres database. Without SMTP,
// mail stays in the outbox and `authflow mail list|show` or GET /api/v1/mail
// reads it.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, diagnose, NO_SMTP_MESSAGE, openAuthflow, startMailDelivery, startServer, type Authflow, type DeliveryTuning } from '../../src/app/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { queueEmail, type EmailTemplate } from '../../src/core/mail/mail.ts';
import type { OutboxItem } from '../../src/core/mail/outbox-item.ts';
import type { Tenant } from '../../src/core/tenants/tenant.ts';
import { createEmailComposer } from '../../src/server/emails.ts';
import { runCli, TEST_ENV } from '../helpers/cli.ts';
import { tempDir } from '../helpers/db.ts';
import { DATABASES, LogSink, openTestAuthflow, type TestAuthflow } from '../helpers/server.ts';
import { hrefsIn, linkIn, startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { startApi, type ApiHarness } from './api-fixture.ts';

const LINK = 'https://id.example.test/t/main/verify?token=af_vt_abc';

async function tenantOf(af: Authflow, slug = 'main'): Promise<Tenant> {
  return (await af.repo.tenants.bySlug(slug)) as Tenant;
}

/** Queues a message as a flow would: inside a transaction, then wake(). */
async function queue(af: Authflow, to: string, options: { vars?: Record<string, string>; template?: EmailTemplate; tenant?: string } = {}): Promise<OutboxItem> {
  const tenant = await tenantOf(af, options.tenant);
  const item = await af.repo.transaction((s) =>
    queueEmail(s, af.mail, { tenant, userId: null, to, template: options.template ?? 'verify_email', vars: { link: LINK, expires_in: '30 minutes', ...options.vars } }),
  );
  af.mail.wake();
  return item;
}

const statusOf = async (af: Authflow, id: string) => (await af.repo.outbox.byId(id))?.status;

/** Runs the sender against `smtp` with the config the loader builds from these AUTHFLOW_SMTP_* variables. */
function deliverVia(t: TestAuthflow, env: Record<string, string>, tuning: DeliveryTuning = {}) {
  const config = loadConfig({ dataDir: t.dataDir, env: { ...TEST_ENV, ...env } });
  return startMailDelivery({ ...t.af, config }, { pollMs: 50, ...tuning });
}

const smtpEnv = (smtp: SmtpSink) => ({ AUTHFLOW_SMTP_HOST: smtp.host, AUTHFLOW_SMTP_PORT: String(smtp.port), AUTHFLOW_SMTP_SECURITY: 'none', AUTHFLOW_SMTP_FROM: 'Acme <no-reply@acme.test>' });

describe.each(DATABASES)('mail delivery over SMTP (%s)', (database) => {
  let smtp: SmtpSink;
  let t: TestAuthflow;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await openTestAuthflow({ database, smtp });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('delivers a queued message: subject, text and HTML with the link; marks it sent', async () => {
    const item = await queue(t.af, 'ada@example.test');
    const msg = await smtp.waitForMessage('ada@example.test');
    expect(msg.subject).toBe('Confirm your email address for main');
    expect(linkIn(msg)).toBe(LINK);
    expect(hrefsIn(msg)).toEqual([LINK]);
    expect(msg.text).toContain('expires in 30 minutes');
    expect(msg.headers.get('from')).toBe('Authflow Test <no-reply@authflow.test>');
    expect(msg.headers.get('message-id')).toBe(`<${item.id}@authflow.test>`);
    expect(msg.headers.get('auto-submitted')).toBe('auto-generated');
    await expect.poll(() => statusOf(t.af, item.id)).toBe('sent');
    const stored = await t.af.repo.outbox.byId(item.id);
    expect(stored).toMatchObject({ attempts: 1, lastError: null });
    expect(stored!.sentAt).toBeGreaterThanOrEqual(item.createdAt);
  });

  it('logs deliveries with the outbox id and status, never the recipient or the body (STYLE rule 13)', async () => {
    const item = await queue(t.af, 'grace.private@example.test');
    await smtp.waitForMessage('grace.private@example.test');
    await expect.poll(() => t.logs.records().some((r) => r.outbox_id === item.id && r.status === 'sent')).toBe(true);
    expect(t.logs.text).not.toContain('grace.private');
    expect(t.logs.text).not.toContain('af_vt_abc');
  });

  it('renders values escaped in HTML and as they are in text', async () => {
    await queue(t.af, 'lin@example.test', { vars: { code: '<b>42</b>' } });
    const msg = await smtp.waitForMessage('lin@example.test');
    expect(msg.text).toContain('<b>42</b>');
    expect(msg.html).toContain('&lt;b&gt;42&lt;/b&gt;');
    expect(msg.html).not.toContain('<b>42</b>');
  });

  it("applies the tenant's overrides (emails.<template>.subject/text/html), escaping values in the HTML override", async () => {
    await t.af.admin.tenants.create(LOCAL_ADMIN, { slug: 'acme', name: 'Acme <Corp>' });
    await t.af.admin.tenants.update(LOCAL_ADMIN, 'acme', {
      settings: { emails: { verify_email: { subject: 'Welcome to {{tenant_name}}!', text: 'Hi {{email}}, go to {{link}} within {{expires_in}}.', html: '<p>Hello <em>{{email}}</em>: <a href="{{link}}">confirm</a> {{tenant_name}}</p>' } } },
    });
    await queue(t.af, 'bo@example.test', { tenant: 'acme' });
    const msg = await smtp.waitForMessage('bo@example.test');
    expect(msg.subject).toBe('Welcome to Acme <Corp>!');
    expect(msg.text).toBe(`Hi bo@example.test, go to ${LINK} within 30 minutes.`);
    expect(msg.html).toContain('<p>Hello <em>bo@example.test</em>');
    expect(msg.html).toContain('Acme &lt;Corp&gt;</p>');
    expect(hrefsIn(msg)).toEqual([LINK]);
    // Another template of the same tenant keeps the default.
    await queue(t.af, 'bo2@example.test', { tenant: 'acme', template: 'reset_password' });
    expect((await smtp.waitForMessage('bo2@example.test')).subject).toBe('Reset your password for Acme <Corp>');
  });
});

describe.each(DATABASES)('retries, permanent failures and authentication (%s)', (database) => {
  let smtp: SmtpSink;
  let t: TestAuthflow;
  beforeAll(async () => {
    t = await openTestAuthflow({ database });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('retries a 451 (RFC 5321 §4.2.1 transient) after the backoff, then delivers', async () => {
    smtp = await startSmtpSink();
    smtp.failNext(451, '4.3.0 Try again later');
    const delivery = deliverVia(t, smtpEnv(smtp), { backoffMs: [200, 200] });
    try {
      const item = await queue(t.af, 'retry@example.test');
      await expect.poll(async () => (await t.af.repo.outbox.byId(item.id))?.lastError ?? null).toMatch(/^SMTP 451 \(DATA, EMESSAGE\): .*Try again later/);
      const pending = (await t.af.repo.outbox.byId(item.id))!;
      expect(pending).toMatchObject({ status: 'pending', attempts: 1 });
      expect(pending.nextAttemptAt).toBeGreaterThan(item.createdAt);
      await smtp.waitForMessage('retry@example.test');
      await expect.poll(() => statusOf(t.af, item.id)).toBe('sent');
      expect((await t.af.repo.outbox.byId(item.id))!.attempts).toBe(2);
      expect(smtp.attempts).toBe(2);
    } finally {
      await delivery.stop();
      await smtp.close();
    }
  });

  it('gives up at once on a 550 (RFC 5321 §4.2.1 permanent): failed, with last_error and no address in it', async () => {
    smtp = await startSmtpSink();
    smtp.failNext(550, '5.1.1 <nobody@example.test>: Recipient address rejected');
    const delivery = deliverVia(t, smtpEnv(smtp), { backoffMs: [50, 50] });
    try {
      const item = await queue(t.af, 'nobody@example.test');
      await expect.poll(() => statusOf(t.af, item.id)).toBe('failed');
      const failed = (await t.af.repo.outbox.byId(item.id))!;
      expect(failed.attempts).toBe(1);
      expect(failed.lastError).toMatch(/^SMTP 550 \(DATA, EMESSAGE\): .*Recipient address rejected/);
      expect(failed.lastError).not.toContain('nobody@');
      await new Promise((r) => setTimeout(r, 300));
      expect(smtp.attempts).toBe(1);
      expect(t.logs.text).not.toContain('nobody@');
    } finally {
      await delivery.stop();
      await smtp.close();
    }
  });

  it('marks an item failed when the last retry fails too', async () => {
    smtp = await startSmtpSink();
    smtp.failNext(421, '4.7.0 Busy', 3);
    const delivery = deliverVia(t, smtpEnv(smtp), { backoffMs: [30, 30] });
    try {
      const item = await queue(t.af, 'busy@example.test');
      await expect.poll(() => statusOf(t.af, item.id), { timeout: 5000 }).toBe('failed');
      expect((await t.af.repo.outbox.byId(item.id))!.attempts).toBe(3);
      expect(smtp.attempts).toBe(3);
    } finally {
      await delivery.stop();
      await smtp.close();
    }
  });

  it('retries while the SMTP server is unreachable (a network error is transient)', async () => {
    const down = await startSmtpSink();
    const port = down.port;
    await down.close();
    const delivery = deliverVia(t, { ...smtpEnv(down), AUTHFLOW_SMTP_PORT: String(port), AUTHFLOW_SMTP_CONNECT_TIMEOUT_MS: '1000' }, { backoffMs: [100, 100, 100, 100, 100] });
    try {
      const item = await queue(t.af, 'later@example.test');
      await expect.poll(async () => (await t.af.repo.outbox.byId(item.id))?.attempts ?? 0).toBeGreaterThanOrEqual(1);
      const pending = (await t.af.repo.outbox.byId(item.id))!;
      expect(pending.status).toBe('pending');
      expect(pending.lastError).toMatch(/ECONNREFUSED|ECONNECTION|connect/i);
    } finally {
      await delivery.stop();
    }
  });

  it('authenticates with AUTH PLAIN, the password read from AUTHFLOW_SMTP_PASSWORD_FILE', async () => {
    smtp = await startSmtpSink({ auth: { user: 'mailer', password: 's3cret pass' }, server: { authMethods: ['PLAIN'] } });
    const file = join(t.dataDir, 'smtp-password');
    writeFileSync(file, 's3cret pass\n', { mode: 0o600 });
    const delivery = deliverVia(t, { ...smtpEnv(smtp), AUTHFLOW_SMTP_USER: 'mailer', AUTHFLOW_SMTP_PASSWORD_FILE: file });
    try {
      await queue(t.af, 'auth@example.test');
      const msg = await smtp.waitForMessage('auth@example.test');
      expect(msg.user).toBe('mailer');
      expect(msg.headers.get('from')).toBe('Acme <no-reply@acme.test>');
      expect(t.logs.text).not.toContain('s3cret');
    } finally {
      await delivery.stop();
      await smtp.close();
    }
  });

  it('keeps mail pending (and retried) when the SMTP password is wrong: an operator can fix it', async () => {
    smtp = await startSmtpSink({ auth: { user: 'mailer', password: 'right' } });
    const delivery = deliverVia(t, { ...smtpEnv(smtp), AUTHFLOW_SMTP_USER: 'mailer', AUTHFLOW_SMTP_PASSWORD: 'wrong' }, { backoffMs: [60_000] });
    try {
      const item = await queue(t.af, 'denied@example.test');
      await expect.poll(async () => (await t.af.repo.outbox.byId(item.id))?.lastError ?? null).toMatch(/535/);
      expect(await statusOf(t.af, item.id)).toBe('pending');
      expect(smtp.messages).toHaveLength(0);
    } finally {
      await delivery.stop();
      await smtp.close();
    }
  });
});

describe.each(DATABASES)('without SMTP the outbox is the delivery (%s)', (database) => {
  let api: ApiHarness;
  let item: OutboxItem;
  let other: OutboxItem;
  beforeAll(async () => {
    api = await startApi('node:http', database);
    await api.af.admin.tenants.create(LOCAL_ADMIN, { slug: 'other' });
    item = await queue(api.af, 'ada@example.test', { vars: { code: '913 204' } });
    api.clock.advance(1000); // ids are UUIDv7: time-ordered
    other = await queue(api.af, 'zed@example.test', { tenant: 'other' });
  });
  afterAll(async () => api?.stop());

  const cli = (argv: string[], env: Record<string, string> = {}) => runCli(['--data-dir', api.af.config.dataDir, ...argv], { env: api.databaseUrl ? { AUTHFLOW_DATABASE_URL: api.databaseUrl, ...env } : env });

  it('serve says once that mail stays in the outbox, and the message stays pending', async () => {
    expect(api.logs.records().filter((r) => r.msg === NO_SMTP_MESSAGE)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(await api.af.repo.outbox.byId(item.id)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('`mail list --json` lists it (newest first, no body) and filters by tenant, status and recipient', async () => {
    const all = await cli(['mail', 'list', '--json']);
    expect(all.code, all.stderr).toBe(0);
    const doc = JSON.parse(all.stdout);
    expect(doc.items.map((m: { id: string }) => m.id)).toEqual([other.id, item.id]);
    expect(doc.items[1]).toMatchObject({ id: item.id, tenant: 'main', to: 'ada@example.test', subject: 'Confirm your email address for main', template: 'verify_email', status: 'pending', attempts: 0, last_error: null, sent_at: null });
    expect(doc.items[1].text).toBeUndefined();
    expect(JSON.parse((await cli(['mail', 'list', '--tenant', 'other', '--json'])).stdout).items.map((m: { id: string }) => m.id)).toEqual([other.id]);
    expect(JSON.parse((await cli(['mail', 'list', '--to', 'ADA@example.test', '--json'])).stdout).items.map((m: { id: string }) => m.id)).toEqual([item.id]);
    expect(JSON.parse((await cli(['mail', 'list', '--status', 'sent', '--json'])).stdout).items).toEqual([]);
    const bad = await cli(['mail', 'list', '--status', 'lost']);
    expect(bad.code).toBe(2);
  });

  it('`mail show` prints headers and the text body with the link, for an operator to hand over', async () => {
    const human = await cli(['mail', 'show', item.id]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/To:\s+ada@example\.test/);
    expect(human.stdout).toMatch(/Subject:\s+Confirm your email address for main/);
    expect(human.stdout).toContain(LINK);
    expect(human.stdout).toContain('913 204');
    const json = JSON.parse((await cli(['mail', 'show', item.id, '--json'])).stdout);
    expect(json).toMatchObject({ id: item.id, to: 'ada@example.test', status: 'pending' });
    expect(json.text).toContain(LINK);
    expect(json.html).toContain('913 204');
    const missing = await cli(['mail', 'show', '0190c0de-7c4f-7d2a-9e0b-3f1a2b3c4d5e']);
    expect(missing.code).toBe(3);
  });

  it('GET /api/v1/mail: the instance admin sees every tenant; a tenant key only its own (docs/security.md tenant isolation)', async () => {
    const all = await api.request('GET', '/mail');
    expect(all.status).toBe(200);
    expect(all.body.items.map((m: { id: string }) => m.id)).toEqual([other.id, item.id]);
    const { token } = await api.af.admin.apiKeys.create(LOCAL_ADMIN, { name: 'main reader', tenant: 'main', scopes: ['users:read'] });
    const mine = await api.request('GET', '/mail', { token });
    expect(mine.body.items.map((m: { id: string }) => m.id)).toEqual([item.id]);
    expect((await api.request('GET', '/mail?tenant=other', { token })).status).toBe(404);
    const { token: writer } = await api.af.admin.apiKeys.create(LOCAL_ADMIN, { name: 'main writer', tenant: 'main', scopes: ['users:write'] });
    expect((await api.request('GET', `/mail/${other.id}`, { token: writer })).status).toBe(404);
    const shown = await api.request('GET', `/mail/${item.id}`, { token: writer });
    expect(shown.status).toBe(200);
    expect(shown.body.text).toContain(LINK);
  });

  it('reading a body (a live link) needs users:write; users:read only lists', async () => {
    const { token } = await api.af.admin.apiKeys.create(LOCAL_ADMIN, { name: 'reader', scopes: ['users:read'] });
    expect((await api.request('GET', `/mail/${item.id}`, { token })).status).toBe(403);
    const { token: none } = await api.af.admin.apiKeys.create(LOCAL_ADMIN, { name: 'clients only', scopes: ['clients:read'] });
    expect((await api.request('GET', '/mail', { token: none })).status).toBe(403);
  });

  it('`mail list|show` work remotely through the API (--url + AUTHFLOW_API_KEY)', async () => {
    const env = { AUTHFLOW_API_KEY: api.adminKey };
    const list = await runCli(['--url', api.url!, 'mail', 'list', '--tenant', 'main', '--json'], { env });
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).items.map((m: { id: string }) => m.id)).toEqual([item.id]);
    const show = await runCli(['--url', api.url!, 'mail', 'show', item.id], { env });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(LINK);
  });
});

describe('the sender inside `authflow serve`', () => {
  it('starts after the server listens, delivers, and stops before the database closes', async () => {
    const smtp = await startSmtpSink();
    const t = await openTestAuthflow();
    const logs = new LogSink();
    const config = loadConfig({ dataDir: t.dataDir, env: { ...TEST_ENV, ...smtpEnv(smtp) } });
    const af = await openAuthflow(config, { logger: createLogger(config, logs) });
    const serving = await startServer(af, { host: '127.0.0.1', port: 0 });
    try {
      expect(logs.records().some((r) => r.msg === 'mail sender started' && r.smtp_host === '127.0.0.1')).toBe(true);
      expect(logs.text).not.toContain(NO_SMTP_MESSAGE);
      const item = await queue(af, 'served@example.test');
      await smtp.waitForMessage('served@example.test');
      await expect.poll(() => statusOf(af, item.id)).toBe('sent');
    } finally {
      await serving.stop();
      await t.close();
      await smtp.close();
    }
  });
});

describe.runIf(DATABASES.includes('postgres'))('two senders on one Postgres database', () => {
  it('never send an outbox item twice (claim: FOR UPDATE SKIP LOCKED with a lease)', async () => {
    const smtp = await startSmtpSink();
    const t = await openTestAuthflow({ database: 'postgres' });
    const secondLogs = new LogSink();
    const second = await openAuthflow(t.config, { logger: createLogger({ logLevel: 'info', logFormat: 'json' }, secondLogs) });
    try {
      const items: OutboxItem[] = [];
      for (let i = 0; i < 40; i++) items.push(await queue(t.af, `crowd${i}@example.test`));
      const a = deliverVia(t, smtpEnv(smtp), { concurrency: 3, pollMs: 10 });
      const b = startMailDelivery({ ...second, config: loadConfig({ dataDir: t.dataDir, env: { ...TEST_ENV, ...smtpEnv(smtp) }, flags: { database_url: (t.config.database as { url: string }).url } }) }, { concurrency: 3, pollMs: 10 });
      await expect.poll(() => smtp.messages.length, { timeout: 15_000 }).toBe(40);
      await new Promise((r) => setTimeout(r, 300));
      await Promise.all([a.stop(), b.stop()]);
      expect(smtp.messages).toHaveLength(40);
      const ids = smtp.messages.map((m) => m.headers.get('message-id'));
      expect(new Set(ids).size).toBe(40);
      for (const item of items) expect(await statusOf(t.af, item.id)).toBe('sent');
      // Each delivery was made (and logged) by exactly one of the two.
      const sentBy = (logs: LogSink) => logs.records().filter((r) => r.msg === 'mail delivered').map((r) => r.outbox_id as string);
      const all = [...sentBy(t.logs), ...sentBy(secondLogs)];
      expect(all.sort()).toEqual(items.map((i) => i.id).sort());
    } finally {
      await second.close();
      await t.close();
      await smtp.close();
    }
  });
});

describe('email templates', () => {
  const composer = createEmailComposer();
  const tenant = { id: 't', slug: 'acme', name: 'Acme', customDomain: null, settings: {}, createdAt: 0, updatedAt: 0 } as unknown as Tenant;
  const vars = { tenant_name: 'Acme', email: 'ada@example.test', link: 'https://id.acme.test/t/acme/x?token=af_t_1', expires_in: '30 minutes', user_agent: 'Firefox on Linux', ip: '203.0.113.9', time: '2025-01-02 03:04 UTC' };
  it.each(['verify_email', 'reset_password', 'magic_link', 'email_change', 'password_changed', 'new_device'] as const)('%s has a subject, a text and an HTML part carrying the link', (template) => {
    const m = composer.compose(tenant, template, vars);
    expect(m.subject).toMatch(/\S/);
    expect(m.subject).not.toContain('\n');
    expect(m.text).toContain(vars.link);
    expect(m.html).toContain('href="https://id.acme.test/t/acme/x?token&#61;af_t_1"');
    expect(m.html).toContain('<title>');
    expect(m.text).not.toContain('{{');
    expect(m.html).not.toContain('{{');
  });
  it('new_device names the device, address and time', () => {
    const m = composer.compose(tenant, 'new_device', vars);
    for (const v of [vars.user_agent, vars.ip, vars.time]) {
      expect(m.text).toContain(v);
      expect(m.html).toContain(v);
    }
  });
  it('a code appears only when given', () => {
    expect(composer.compose(tenant, 'magic_link', vars).text).not.toContain('code');
    expect(composer.compose(tenant, 'magic_link', { ...vars, code: '123456' }).text).toContain('123456');
  });
});

describe('TLS to the SMTP server', () => {
  let t: TestAuthflow;
  let tls: { key: string; cert: string; caFile: string };
  const dir = tempDir('authflow-smtp-tls-');
  beforeAll(async () => {
    t = await openTestAuthflow();
    // A self-signed certificate for 127.0.0.1, trusted through smtp.tls_ca_file.
    const key = join(dir.path, 'key.pem');
    const cert = join(dir.path, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    tls = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8'), caFile: cert };
  });
  afterAll(async () => {
    await t?.close();
    dir.cleanup();
  });
  const tlsEnv = (smtp: SmtpSink, security: string) => ({ ...smtpEnv(smtp), AUTHFLOW_SMTP_SECURITY: security, AUTHFLOW_SMTP_TLS_CA_FILE: tls.caFile, AUTHFLOW_SMTP_USER: 'mailer', AUTHFLOW_SMTP_PASSWORD: 'pw' });

  it('security: starttls upgrades the connection before AUTH, trusting smtp.tls_ca_file', async () => {
    const smtp = await startSmtpSink({ auth: { user: 'mailer', password: 'pw' }, server: { key: tls.key, cert: tls.cert, disabledCommands: [], allowInsecureAuth: false } });
    const delivery = deliverVia(t, tlsEnv(smtp, 'starttls'));
    try {
      await queue(t.af, 'tls@example.test');
      expect((await smtp.waitForMessage('tls@example.test')).user).toBe('mailer');
    } finally {
      await delivery.stop();
      await smtp.close();
    }
  });

  it('security: starttls refuses a server that does not offer STARTTLS (no downgrade): the mail waits', async () => {
    const smtp = await startSmtpSink({ auth: { user: 'mailer', password: 'pw' } });
    const delivery = deliverVia(t, tlsEnv(smtp, 'starttls'), { backoffMs: [60_000] });
    try {
      const item = await queue(t.af, 'downgrade@example.test');
      await expect.poll(async () => (await t.af.repo.outbox.byId(item.id))?.lastError ?? null).toMatch(/^SMTP 500 \(STARTTLS, ETLS\)/);
      expect(await statusOf(t.af, item.id)).toBe('pending');
      expect(smtp.messages).toHaveLength(0);
    } finally {
      await delivery.stop();
      await smtp.close();
    }
  });

  it('security: tls speaks implicit TLS (port 465 style)', async () => {
    const smtp = await startSmtpSink({ auth: { user: 'mailer', password: 'pw' }, server: { secure: true, key: tls.key, cert: tls.cert } });
    const delivery = deliverVia(t, tlsEnv(smtp, 'tls'));
    try {
      await queue(t.af, 'implicit@example.test');
      await smtp.waitForMessage('implicit@example.test');
    } finally {
      await delivery.stop();
      await smtp.close();
    }
  });

  it('authflow doctor checks SMTP: ok when it connects, fail naming the server when not', async () => {
    const smtp = await startSmtpSink({ auth: { user: 'mailer', password: 'pw' }, server: { key: tls.key, cert: tls.cert, disabledCommands: [] } });
    const check = async (env: Record<string, string>) => (await diagnose({ dataDir: t.dataDir, env: { ...TEST_ENV, ...env }, buildTime: 0 })).find((c) => c.name === 'smtp');
    try {
      expect(await check({})).toMatchObject({ status: 'ok', detail: expect.stringContaining('mail stays in the outbox') });
      expect(await check(tlsEnv(smtp, 'starttls'))).toMatchObject({ status: 'ok', detail: expect.stringContaining(`127.0.0.1:${smtp.port} (starttls, as mailer)`) });
      const wrong = await check({ ...tlsEnv(smtp, 'starttls'), AUTHFLOW_SMTP_PASSWORD: 'nope' });
      expect(wrong).toMatchObject({ status: 'fail', detail: expect.stringContaining('535') });
      expect(wrong!.detail).not.toContain('nope');
    } finally {
      await smtp.close();
    }
  });
});
