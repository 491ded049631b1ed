// The ops surface of `authflow serve` (docs/cli.md HTTP "Ops", §4 Browser/Errors):
// /healthz, /readyz, /metrics, RFC 9457 errors, request ids, security headers,
// and a graceful stop. Every HTTP assertion runs both in-process (`app.fetch`)
// and over real node:http, the way h3's own test setup does.

import { connect, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Serving } from '../../src/app/index.ts';
import { applyMigrations } from '../../src/db/index.ts';
import { DATABASES, openTestAuthflow, serveAuthflow, startAuthflow, TRANSPORTS, type Harness, type TestAuthflow, type Transport } from '../helpers/server.ts';

/** What the server may put in x-request-id (the product's own INCOMING_ID charset). */
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Prometheus text exposition → samples. */
function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

function sampleValue(samples: readonly Sample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

function expectSecurityHeaders(res: Response): void {
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('content-security-policy')).toMatch(/(^|;)\s*frame-ancestors 'none'\s*(;|$)/);
  expect(res.headers.get('x-request-id') ?? '(missing)').toMatch(SANE_ID);
}

describe.each(TRANSPORTS)('ops endpoints (%s)', (transport) => {
  // One initialised install for the tests that leave its database alone; each
  // test still gets a fresh app (own metrics registry and lifecycle).
  let shared: TestAuthflow | undefined;
  beforeAll(async () => {
    shared = await openTestAuthflow();
  });
  afterAll(async () => {
    await shared?.close();
  });
  const serve = () => serveAuthflow(shared!, transport);

  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('GET /healthz answers 200 {"status":"ok"}, uncached', async () => {
    h = await serve();
    const res = await h.fetch('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 503 while draining, /healthz stays 200, and ready again once draining ends', async () => {
    h = await serve();
    h.lifecycle.draining = true;
    const res = await h.fetch('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', checks: { lifecycle: { ok: false, detail: 'shutting down' } } });
    expectSecurityHeaders(res);
    expect((await h.fetch('/healthz')).status).toBe(200);

    h.lifecycle.draining = false;
    expect((await h.fetch('/readyz')).status).toBe(200);
  });

  it('/metrics is Prometheus text with the HTTP counter, the duration histogram and process metrics', async () => {
    h = await serve();
    await h.fetch('/healthz');
    const res = await h.fetch('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    expect(text).toContain('# TYPE authflow_http_requests_total counter');
    expect(text).toContain('# TYPE authflow_http_request_duration_seconds histogram');
    expect(text).toContain('# TYPE authflow_process_cpu_user_seconds_total counter');
    expect(text).toContain('# TYPE authflow_process_resident_memory_bytes gauge');
    expect(text).toMatch(/# TYPE authflow_nodejs_heap_size_used_bytes gauge/);
    expect(text).toMatch(/# TYPE authflow_nodejs_eventloop_lag_seconds gauge/);
    const samples = parseMetrics(text);
    expect(sampleValue(samples, 'authflow_process_resident_memory_bytes', {})).toBeGreaterThan(0);
  });

  it('/metrics counts requests by method, route pattern and status, and times them', async () => {
    h = await serve();
    for (let i = 0; i < 3; i++) expect((await h.fetch('/healthz')).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await h.fetch('/readyz')).status).toBe(200);
    expect((await h.fetch('/nope-one')).status).toBe(404);
    expect((await h.fetch('/nope-two?x=1')).status).toBe(404);

    const first = await (await h.fetch('/metrics')).text();
    const s = parseMetrics(first);
    const total = 'authflow_http_requests_total';
    expect(sampleValue(s, total, { method: 'GET', route: '/healthz', status: '200' })).toBe(3);
    expect(sampleValue(s, total, { method: 'GET', route: '/readyz', status: '200' })).toBe(2);
    // Unknown paths share one label value: raw paths would explode the series count.
    expect(s.filter((x) => x.name === total && x.labels.status === '404').map((x) => x.value)).toEqual([2]);
    expect(first).not.toContain('nope-');

    const count = sampleValue(s, 'authflow_http_request_duration_seconds_count', { method: 'GET', route: '/healthz' });
    expect(count).toBe(3);
    const buckets = s.filter((x) => x.name === 'authflow_http_request_duration_seconds_bucket' && x.labels.route === '/healthz' && x.labels.method === 'GET');
    expect(buckets.length).toBeGreaterThan(1);
    expect(buckets.find((b) => b.labels.le === '+Inf')?.value).toBe(3);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    expect(sampleValue(s, 'authflow_http_request_duration_seconds_sum', { method: 'GET', route: '/healthz' })).toBeGreaterThan(0);

    // The scrape itself is counted once it has been answered.
    const second = parseMetrics(await (await h.fetch('/metrics')).text());
    expect(sampleValue(second, total, { method: 'GET', route: '/metrics', status: '200' })).toBe(1);
    expect(sampleValue(second, total, { method: 'GET', route: '/healthz', status: '200' })).toBe(3);
  });

  it('an unknown path is a 404 application/problem+json (RFC 9457) with no internals', async () => {
    h = await serve();
    const res = await h.fetch('/no/such/thing');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const text = await res.text();
    const body = JSON.parse(text);
    expect(typeof body.type).toBe('string');
    expect(body.title).toBe('Not Found');
    expect(body.status).toBe(404); // RFC 9457 §3.1.3: the same status as the response
    expect(text).not.toMatch(/stack|\bat .+:\d+:\d+|node_modules/);
    expectSecurityHeaders(res);
  });

  it('a method the route does not serve is answered as problem+json too', async () => {
    h = await serve();
    const res = await h.fetch('/healthz', { method: 'POST', body: 'x' });
    expect([404, 405]).toContain(res.status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { status: number }).status).toBe(res.status);
    expectSecurityHeaders(res);
  });

  it('gives every request an id, in the x-request-id header and in its log line', async () => {
    h = await serve();
    const a = await h.fetch('/healthz');
    const b = await h.fetch('/missing');
    const idA = a.headers.get('x-request-id');
    const idB = b.headers.get('x-request-id');
    expect(idA).toMatch(SANE_ID);
    expect(idB).toMatch(SANE_ID);
    expect(idA).not.toBe(idB);
    expect(idA!.length).toBeGreaterThanOrEqual(16); // unguessable enough not to collide across instances

    const lines = h.logs.records().filter((r) => r.msg === 'request');
    expect(lines.find((r) => r.req_id === idA)).toMatchObject({ method: 'GET', route: '/healthz', path: '/healthz', status: 200 });
    expect(lines.find((r) => r.req_id === idB)).toMatchObject({ method: 'GET', path: '/missing', status: 404 });
  });

  it.each(['req-42.abc:XYZ', 'a'.repeat(128), '01JBQ1W7F3E9G6V5XK2M8N4P0R'])('keeps a sane incoming X-Request-Id (%s) as upstream_request_id beside an id of its own', async (incoming) => {
    h = await serve();
    const res = await h.fetch('/healthz', { headers: { 'X-Request-Id': incoming } });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(SANE_ID);
    expect(id).not.toBe(incoming);
    expect(h.logs.records().some((r) => r.msg === 'request' && r.req_id === id && r.upstream_request_id === incoming)).toBe(true);
  });

  it.each(['has a space', '<script>alert(1)</script>', 'a'.repeat(129), 'x"; y=1', ''])('replaces an insane incoming X-Request-Id (%j)', async (incoming) => {
    h = await serve();
    const res = await h.fetch('/healthz', { headers: { 'X-Request-Id': incoming } });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(SANE_ID);
    expect(id).not.toBe(incoming);
    expect(h.logs.text).not.toContain('<script>');
    expect(h.logs.records().some((r) => r.msg === 'request' && r.req_id === id)).toBe(true);
  });

  it('puts nosniff, frame-ancestors \'none\' and a request id on every kind of response', async () => {
    h = await serve();
    for (const path of ['/healthz', '/readyz', '/metrics', '/nope']) expectSecurityHeaders(await h.fetch(path));
  });

  it('a malformed URL (400) still gets a request id', async () => {
    h = await serve();
    const res = await h.fetch('/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('x-request-id') ?? '(missing)').toMatch(SANE_ID);
  });

  it('a malformed URL (400) is still counted in /metrics', async () => {
    h = await serve();
    expect((await h.fetch('/%E0%A4%A')).status).toBe(400);
    const s = parseMetrics(await (await h.fetch('/metrics')).text());
    expect(s.some((x) => x.name === 'authflow_http_requests_total' && x.labels.status === '400' && x.value === 1)).toBe(true);
  });
});

// /readyz against each database. Opening an install costs a database (and on
// Postgres a CREATE DATABASE), so each test serves one install through both
// transports in turn.
describe.each(DATABASES)('/readyz on %s', (database) => {
  let t: TestAuthflow | undefined;
  const harnesses: Harness[] = [];
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.stop();
    await t?.close();
    t = undefined;
  });

  /** Runs `check` against the install through every transport. */
  async function eachTransport(check: (h: Harness) => Promise<void>): Promise<void> {
    for (const transport of TRANSPORTS) {
      const h = await serveAuthflow(t!, transport);
      harnesses.push(h);
      try {
        await check(h);
      } catch (e) {
        if (e instanceof Error) e.message = `[${transport satisfies Transport}] ${e.message}`;
        throw e;
      }
    }
  }

  it('answers 200 when the database answers and its migrations are current; 503 when the database is newer than this build', async () => {
    t = await openTestAuthflow({ database });
    await eachTransport(async (h) => {
      const res = await h.fetch('/readyz');
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toEqual({ status: 'ready', checks: { database: { ok: true }, migrations: { ok: true } } });
    });

    await t.af.database.migrationLock((s) => s.record('9999_from_a_newer_build', 'x', Date.now()));
    await eachTransport(async (h) => {
      const res = await h.fetch('/readyz');
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean; detail?: string }> };
      expect(body.status).toBe('unavailable');
      expect(body.checks.database?.ok).toBe(true);
      expect(body.checks.migrations?.ok).toBe(false);
      expect(body.checks.migrations?.detail).toContain('9999_from_a_newer_build');
    });
  });

  it('answers 503 while migrations are pending, and 200 once they are applied', async () => {
    // A fresh data dir holding only its master key; the database is opened WITHOUT migrating.
    t = await openTestAuthflow({ database, initialized: false, migrate: false });
    const pending = t.af.database.migrations.length;
    expect(pending).toBeGreaterThan(0);
    await eachTransport(async (h) => {
      const res = await h.fetch('/readyz');
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        status: 'unavailable',
        checks: { database: { ok: true }, migrations: { ok: false, detail: `${pending} pending` } },
      });
      expectSecurityHeaders(res);
    });

    await applyMigrations(t.af.database);
    await eachTransport(async (h) => {
      expect((await h.fetch('/readyz')).status).toBe(200);
    });
  });

  it('answers 503 naming the database check when the database does not answer, without internals', async () => {
    t = await openTestAuthflow({ database, initialized: false });
    await t.af.close();
    await eachTransport(async (h) => {
      const res = await h.fetch('/readyz');
      expect(res.status).toBe(503);
      const text = await res.text();
      const body = JSON.parse(text) as { status: string; checks: Record<string, { ok: boolean }> };
      expect(body.status).toBe('unavailable');
      expect(body.checks.database?.ok).toBe(false);
      expect(text).not.toMatch(/\bat .+:\d+:\d+|SELECT|node_modules/);
      // Still alive: liveness must not depend on the database.
      expect((await h.fetch('/healthz')).status).toBe(200);
    });
  });
});

// ------------------------------------------------------------------ the access log

describe.each(TRANSPORTS)('the access log, log.access (%s)', (transport) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });
  const linesOf = (h: Harness, id: string | null) => h.logs.records().filter((r) => r.req_id === id);

  it('errors (the default): nothing for an answer that went well, one line at error level for a 5xx', async () => {
    h = await startAuthflow(transport, { env: { AUTHFLOW_LOG_ACCESS: '' } });
    expect(h.config.log).toEqual({ access: 'errors', slowMs: 1000 });
    const ok = await h.fetch('/healthz');
    expect(ok.status).toBe(200);
    expect(linesOf(h, ok.headers.get('x-request-id'))).toEqual([]);
    const missing = await h.fetch('/nope');
    expect(missing.status).toBe(404);
    expect(linesOf(h, missing.headers.get('x-request-id'))).toEqual([]);

    h.lifecycle.draining = true;
    const unavailable = await h.fetch('/readyz', { headers: { authorization: 'Bearer af_never_logged', 'x-request-id': 'upstream-1' } });
    expect(unavailable.status).toBe(503);
    const lines = linesOf(h, unavailable.headers.get('x-request-id'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, msg: 'request', method: 'GET', route: '/readyz', path: '/readyz', status: 503, upstream_request_id: 'upstream-1' });
    expect(h.logs.text).not.toContain('af_never_logged');
  });

  it('false: no access lines at all; true: one line for every request', async () => {
    h = await startAuthflow(transport, { env: { AUTHFLOW_LOG_ACCESS: 'false' } });
    h.lifecycle.draining = true;
    for (const path of ['/healthz', '/readyz', '/nope']) await h.fetch(path);
    expect(h.logs.records().filter((r) => r.msg === 'request')).toEqual([]);
    await h.stop();

    h = await startAuthflow(transport, { env: { AUTHFLOW_LOG_ACCESS: 'true' } });
    const ids: (string | null)[] = [];
    for (const path of ['/healthz', '/nope', '/healthz']) ids.push((await h.fetch(path)).headers.get('x-request-id'));
    for (const id of ids) expect(linesOf(h, id)).toHaveLength(1);
    expect(linesOf(h, ids[1]!)[0]).toMatchObject({ level: 30, msg: 'request', status: 404 });
  });
});

// ------------------------------------------------------------------ graceful stop

interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

interface RawClient {
  readonly socket: Socket;
  /** The next complete response on this connection (HTTP/1.1 answers in order). */
  next(): Promise<RawResponse>;
  /** Resolves when the server closes (FIN or reset) the connection. */
  readonly closedByServer: Promise<void>;
}

/** Parses one response from the start of `raw`; undefined until it is complete. */
function parseRawResponse(raw: string): { response: RawResponse; consumed: number } | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...headerLines] = raw.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of headerLines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const status = Number(statusLine!.split(' ')[1]);
  let at = end + 4;
  if (headers['transfer-encoding'] === 'chunked') {
    let body = '';
    for (;;) {
      const nl = raw.indexOf('\r\n', at);
      if (nl < 0) return undefined;
      const size = parseInt(raw.slice(at, nl), 16);
      if (raw.length < nl + 2 + size + 2) return undefined;
      body += raw.slice(nl + 2, nl + 2 + size);
      at = nl + 2 + size + 2;
      if (size === 0) return { response: { status, headers, body }, consumed: at };
    }
  }
  const length = Number(headers['content-length'] ?? 0);
  if (raw.length < at + length) return undefined;
  return { response: { status, headers, body: raw.slice(at, at + length) }, consumed: at + length };
}

/** A raw TCP client, so a test can hold a request half-sent (in flight) across stop(). */
async function rawClient(port: number): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('latin1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let buffer = '';
  let closed = false;
  const waiters: { resolve: (r: RawResponse) => void; reject: (e: Error) => void }[] = [];
  const pump = () => {
    for (let parsed = parseRawResponse(buffer); parsed && waiters.length; parsed = parseRawResponse(buffer)) {
      buffer = buffer.slice(parsed.consumed);
      waiters.shift()!.resolve(parsed.response);
    }
    if (closed) for (const w of waiters.splice(0)) w.reject(new Error(`connection closed before a complete response: ${JSON.stringify(buffer)}`));
  };
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    pump();
  });
  const closedByServer = new Promise<void>((resolve) => {
    socket.on('end', resolve);
    socket.on('close', () => {
      closed = true;
      pump();
      resolve();
    });
  });
  socket.on('error', () => {});
  return {
    socket,
    closedByServer,
    next: () =>
      new Promise<RawResponse>((resolve, reject) => {
        waiters.push({ resolve, reject });
        pump();
      }),
  };
}

/** 'connected' or the error code of a fresh TCP connection attempt. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  return Promise.race([p, delay(ms).then(() => Promise.reject(new Error(`${what}: not within ${ms} ms`)))]);
}

describe('startServer (node:http) and graceful stop', () => {
  let t: TestAuthflow | undefined;
  let serving: Serving | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await serving?.stop();
    serving = undefined;
    await t?.close();
    t = undefined;
  });

  it('listens on port 0, answers over real HTTP, and after stop() refuses connections and has closed the database', async () => {
    t = await openTestAuthflow();
    serving = await startServer(t.af, { host: '127.0.0.1', port: 0 });
    expect(serving.port).toBeGreaterThan(0);
    expect(serving.url).toBe(`http://127.0.0.1:${serving.port}`);
    const res = await fetch(`${serving.url}/readyz`);
    expect(res.status).toBe(200);
    expectSecurityHeaders(res);

    await Promise.all([serving.stop(), serving.stop()]); // idempotent
    expect(await tryConnect(serving.port)).toBe('ECONNREFUSED');
    await expect(t.af.database.ping()).rejects.toThrow();
  });

  it('lets requests in flight at stop() complete (readyz then says draining) and refuses new connections meanwhile', async () => {
    t = await openTestAuthflow();
    const s = await startServer(t.af, { host: '127.0.0.1', port: 0 });
    serving = s;
    const c = await rawClient(s.port);
    sockets.push(c.socket);
    // Pipelined: a complete /healthz, then the head of a /readyz without its final CRLF. Once the
    // first answer is back the server has begun the second request: it is in flight.
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: authflow.test\r\n\r\nGET /readyz HTTP/1.1\r\nHost: authflow.test\r\n');
    expect((await within(2000, c.next(), 'the first /healthz')).status).toBe(200);

    let stopped = false;
    const stopping = s.stop().then(() => {
      stopped = true;
    });
    await delay(20);
    expect(await tryConnect(s.port)).toBe('ECONNREFUSED');
    await delay(100);
    expect(stopped).toBe(false); // still draining: a request is in flight

    c.socket.write('\r\n');
    const r = await within(2000, c.next(), 'the in-flight /readyz');
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body).checks.lifecycle).toEqual({ ok: false, detail: 'shutting down' });
    expect(r.headers['x-request-id']).toMatch(SANE_ID);

    c.socket.destroy(); // the client hangs up; the drain is then complete
    await within(3000, stopping, 'stop()');
    expect(await tryConnect(s.port)).toBe('ECONNREFUSED');
    await expect(t.af.database.ping()).rejects.toThrow();
  });

  it('an in-flight /healthz still answers 200 during the drain', async () => {
    t = await openTestAuthflow();
    const s = await startServer(t.af, { host: '127.0.0.1', port: 0 });
    serving = s;
    const c = await rawClient(s.port);
    sockets.push(c.socket);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: authflow.test\r\n\r\nGET /healthz HTTP/1.1\r\nHost: authflow.test\r\n');
    expect((await within(2000, c.next(), 'the first /healthz')).status).toBe(200);
    const stopping = s.stop();
    await delay(20);
    c.socket.write('\r\n');
    const r = await within(2000, c.next(), 'the in-flight /healthz');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ status: 'ok' });
    c.socket.destroy();
    await within(3000, stopping, 'stop()');
  });

  it('does not wait for idle keep-alive connections', async () => {
    t = await openTestAuthflow();
    serving = await startServer(t.af, { host: '127.0.0.1', port: 0 });
    const res = await fetch(`${serving.url}/healthz`); // undici keeps the connection open
    expect(await res.text()).toBe('{"status":"ok"}');
    const started = performance.now();
    await serving.stop();
    expect(performance.now() - started).toBeLessThan(1500); // keepAliveTimeout is 5 s, shutdown timeout 10 s
  });

  it('answers an in-flight request with Connection: close and hangs up, so stop() ends with the drain', async () => {
    t = await openTestAuthflow();
    const s = await startServer(t.af, { host: '127.0.0.1', port: 0 });
    serving = s;
    const c = await rawClient(s.port);
    sockets.push(c.socket);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: authflow.test\r\n\r\nGET /healthz HTTP/1.1\r\nHost: authflow.test\r\n');
    expect((await within(2000, c.next(), 'the first /healthz')).status).toBe(200);
    const stopping = s.stop();
    await delay(20);
    c.socket.write('\r\n');
    const res = await within(2000, c.next(), 'the in-flight /healthz');
    expect(res.status).toBe(200);
    expect(res.headers.connection).toBe('close');
    await within(1500, c.closedByServer, 'the server closing the drained connection');
    await within(1500, stopping, 'stop()');
  });
});
