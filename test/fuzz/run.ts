// The fuzz loop: generated requests sent over real sockets a few at a time,
// every answer checked, the server's liveness probed as it goes.
import { pathOf } from '../../src/server/request-target.ts';
import { surfaceOf } from '../../src/server/surface.ts';
import { generate, type FuzzRequest } from './requests.ts';
import { Random } from './random.ts';
import type { Route, Target } from './target.ts';
import { exchange, type WireExchange, type WireResponse } from './wire.ts';

export interface FuzzOptions {
  readonly seed: number;
  readonly count: number;
  readonly concurrency?: number;
  /** /healthz is asked every this many requests. */
  readonly probeEvery?: number;
  /** Stop collecting failures after this many (the run goes on). */
  readonly maxFailures?: number;
  /** Only these request indexes (replaying a failure). */
  readonly only?: readonly number[];
  readonly onProgress?: (done: number) => void;
}

export interface Failure {
  readonly index: number;
  readonly label: string;
  readonly problem: string;
  /** The request as sent, shortened for the report. */
  readonly request: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly requests: number;
  readonly seconds: number;
  /** Final status of each answered request; `none` when the server closed without answering (only allowed for cut-short bodies). */
  readonly statuses: Readonly<Record<string, number>>;
  readonly failures: readonly Failure[];
  readonly probes: number;
  readonly routes: number;
  readonly paths: number;
  /** Requests per surface of the route they were built from. */
  readonly surfaces: Readonly<Record<string, number>>;
  /** The slowest exchanges (ms, label). */
  readonly slowest: readonly (readonly [number, string])[];
}

// What must never reach the wire: stack frames, source paths, SQL and driver messages.
const LEAKS: readonly [string, RegExp][] = [
  ['stack trace', /\bat (?:async )?[\w.<>$]+ \(|\bat (?:file:\/\/|\/)[^\s]+:\d+:\d+/],
  ['source path', /(?:node_modules|\/src\/(?:core|server|db|app)\/|\.ts:\d+)/],
  ['SQL', /\b(?:SELECT\s+.+\s+FROM|INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM)\b|SQLITE_[A-Z]+|SqliteError|syntax error at or near|violates (?:unique|foreign key|not-null) constraint|duplicate key value|relation "[^"]+"/i],
  ['internal error', /\b(?:TypeError|ReferenceError|RangeError|SyntaxError|AssertionError): /],
];

export function seedFromEnv(): number {
  const fromEnv = process.env.FUZZ_SEED;
  return fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) >>> 0 : Math.floor(Math.random() * 2 ** 32);
}

export async function fuzz(target: Target, options: FuzzOptions): Promise<FuzzReport> {
  const root = new Random(options.seed);
  // One seed per request, drawn up front: request i is the same whatever the concurrency or timing.
  const seeds = Array.from({ length: options.count }, () => Math.floor(root.next() * 2 ** 32));
  const indexes = options.only ?? seeds.map((_, i) => i);
  const statuses: Record<string, number> = {};
  const surfaces: Record<string, number> = {};
  const failures: Failure[] = [];
  const maxFailures = options.maxFailures ?? 50;
  const probeEvery = options.probeEvery ?? 250;
  const slowest: [number, string][] = [];
  const matchers = routeMatchers(target.routes);
  let probes = 0;
  let next = 0;
  let done = 0;
  const started = performance.now();

  const fail = (index: number, req: FuzzRequest | undefined, problem: string) => {
    if (failures.length < maxFailures) failures.push({ index, label: req?.label ?? 'probe', problem, request: req ? shorten(req.bytes) : 'GET /healthz' });
  };

  const probe = async () => {
    probes++;
    const x = await exchange(target.host, target.port, Buffer.from('GET /healthz HTTP/1.1\r\nHost: localhost:8080\r\nConnection: close\r\n\r\n'), { headRequest: false, timeoutMs: 10_000 });
    if (x.responses.at(-1)?.status !== 200) fail(-1, undefined, `the server is not alive: /healthz answered ${x.responses.at(-1)?.status ?? x.error ?? x.malformed}`);
  };

  const worker = async () => {
    while (next < indexes.length) {
      const index = indexes[next++]!;
      const req = generate(new Random(seeds[index] ?? index), target.routes, target.knowledge);
      const x = await exchange(target.host, target.port, req.bytes, { headRequest: req.method === 'HEAD', timeoutMs: 15_000, halfClose: req.truncated });
      const problem = check(req, x, target.secrets, matchers);
      const surface = surfaceOf(req.route.replace(/:[A-Za-z_]+|\*\*/g, 'x'));
      surfaces[surface] = (surfaces[surface] ?? 0) + 1;
      const last = x.responses.at(-1);
      const key = last ? String(last.status) : 'none';
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (problem) fail(index, req, problem);
      slowest.push([Math.round(x.ms), `#${index} ${req.label} → ${key}`]);
      if (slowest.length > 40) slowest.sort((a, b) => b[0] - a[0]).splice(10);
      done++;
      if (done % probeEvery === 0) await probe();
      if (done % 1000 === 0) options.onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  await probe();
  return { seed: options.seed, requests: done, seconds: (performance.now() - started) / 1000, statuses, failures, probes, routes: target.routes.length, paths: new Set(target.routes.map((r) => r.path)).size, surfaces, slowest: slowest.sort((a, b) => b[0] - a[0]).slice(0, 10) };
}

/** Why an exchange breaks the rules, or undefined. */
export function check(req: FuzzRequest, x: WireExchange, secrets: readonly string[], routes: readonly RegExp[]): string | undefined {
  if (x.malformed) return `the answer is not HTTP: ${x.malformed}`;
  if (x.error && x.error.startsWith('no end of answer')) return x.error;
  const final = x.responses.filter((r) => r.status >= 200);
  if (final.length === 0) {
    // A body cut short of its length, or framing the parser cannot trust: the server may just close.
    if (req.truncated) return undefined;
    return `no answer (${x.error ?? 'connection closed'})`;
  }
  for (const r of final) {
    if (r.status >= 500) return `status ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`;
    const leak = leakIn(r, secrets);
    if (leak) return leak;
  }
  return shapeOf(req, final[0]!) ?? retargeted(req, final[0]!, routes);
}

/** The route patterns as regular expressions over raw paths (`:name` one segment, `**` the rest). */
export function routeMatchers(routes: readonly Route[]): RegExp[] {
  return [...new Set(routes.map((r) => r.path))].map((p) => new RegExp(`^${p.split('/').map((seg) => (seg === '**' ? '.*' : seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}$`));
}

/** RFC 3986 §6: a request is served only by the route its path names as written (no normalisation reaches another). */
function retargeted(req: FuzzRequest, r: WireResponse, routes: readonly RegExp[]): string | undefined {
  if (r.status >= 400 || req.target === '*') return undefined;
  const absolute = /^[a-z]+:\/\/[^/]*/i.exec(req.target);
  const path = pathOf(absolute ? req.target.slice(absolute[0].length) || '/' : req.target);
  return routes.some((m) => m.test(path)) ? undefined : `a ${r.status} for ${JSON.stringify(path.slice(0, 200))}, which no route names`;
}

/**
 * An error is answered in the shape of the surface the path belongs to:
 * RFC 6749 §5.2 JSON for OAuth endpoints, RFC 9457 problem+json for the API
 * and operations endpoints, an HTML page for people.
 */
function shapeOf(req: FuzzRequest, r: WireResponse): string | undefined {
  if (r.status < 400 || r.body.length === 0 || req.method === 'HEAD') return undefined;
  const type = (r.headers.get('content-type')?.[0] ?? '').split(';')[0]!.trim();
  const absolute = /^[a-z]+:\/\/[^/]*/i.exec(req.target);
  const surface = surfaceOf(pathOf(absolute ? req.target.slice(absolute[0].length) || '/' : req.target));
  const text = r.body.toString('utf8');
  const problem = `a ${r.status} from the ${surface} surface as ${type || 'no content type'}: ${text.slice(0, 200)}`;
  switch (surface) {
    case 'oauth': {
      if (type !== 'application/json') return problem;
      try {
        return typeof (JSON.parse(text) as { error?: unknown }).error === 'string' ? undefined : problem;
      } catch {
        return problem;
      }
    }
    case 'pages':
      // A page that does not exist answers problem+json to a client asking for JSON and not HTML.
      return type === 'text/html' || (r.status === 404 && type === 'application/problem+json' && !acceptsHtml(req)) ? undefined : problem;
    default:
      // An unknown address a browser opens gets an HTML 404.
      return type === 'application/problem+json' || (r.status === 404 && type === 'text/html' && acceptsHtml(req)) ? undefined : problem;
  }
}

/** The request's Accept header names text/html. */
function acceptsHtml(req: FuzzRequest): boolean {
  const head = req.bytes.toString('latin1').split('\r\n\r\n', 1)[0]!;
  return /^accept:[^\r\n]*text\/html/im.test(head);
}

function leakIn(r: WireResponse, secrets: readonly string[]): string | undefined {
  const text = r.body.toString('utf8');
  const headers = [...r.headers].map(([k, v]) => `${k}: ${v.join(', ')}`).join('\n');
  for (const s of secrets) if (text.includes(s) || headers.includes(s)) return `internal path on the wire (${r.status})`;
  for (const [what, re] of LEAKS) {
    const m = re.exec(text) ?? re.exec(headers);
    if (m) return `${what} on the wire (${r.status}): …${text.slice(Math.max(0, m.index - 80), m.index + 120)}…`;
  }
  return undefined;
}

function shorten(bytes: Buffer): string {
  const s = bytes.toString('latin1');
  return s.length <= 1500 ? s : `${s.slice(0, 1200)}…[${s.length - 1500} more]…${s.slice(-300)}`;
}

export function summary(report: FuzzReport): string {
  const rate = report.requests / report.seconds;
  const hist = Object.entries(report.statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `${s}: ${n}`)
    .join(', ');
  return [
    `fuzz: seed ${report.seed} (FUZZ_SEED=${report.seed} reproduces), ${report.routes} routes (${report.paths} paths), ${report.requests} requests in ${report.seconds.toFixed(1)} s (${rate.toFixed(0)} req/s), ${report.probes} liveness probes`,
    `statuses: ${hist}`,
    `surfaces: ${Object.entries(report.surfaces).map(([s, n]) => `${s}: ${n}`).join(', ')}`,
    `failures: ${report.failures.length}`,
  ].join('\n');
}
