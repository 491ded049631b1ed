// The load generator, always in its own process: wrk (Debian package) when it
// is installed, autocannon (npm) otherwise. Modest connections and one wrk
// thread, so it does not starve the server on a 2-core machine; its CPU is
// measured by the caller (cpuWindow) and reported.
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runJson } from './child.ts';

export type LoadTool = 'wrk' | 'autocannon';

export interface LoadSpec {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly connections: number;
  readonly seconds: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50ms: number;
  readonly p99ms: number;
  /** Socket errors, timeouts and non-2xx answers. */
  readonly errors: number;
}

export function wrkAvailable(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    // wrk --version exits 1 after printing its banner.
    return (e as { status?: number }).status === 1;
  }
}

export function wrkVersion(): string {
  try {
    execFileSync('wrk', ['--version'], { encoding: 'utf8' });
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? '').split('\n')[0]!.replace(/\s*\[.*$/, '').trim();
  }
  return 'wrk';
}

const AUTOCANNON_RUNNER = join(import.meta.dirname, 'autocannon-run.ts');

let scripts = 0;

/** A Lua string literal (long bracket form; the bench's values never hold its closing sequence). */
const lua = (s: string) => `[==[${s}]==]`;

export async function runLoad(tool: LoadTool, spec: LoadSpec, tmp: string): Promise<LoadResult> {
  if (tool === 'autocannon') {
    return runJson<LoadResult>(process.execPath, [AUTOCANNON_RUNNER, JSON.stringify(spec)], { timeoutMs: (spec.seconds + 60) * 1000 });
  }
  const script = join(tmp, `wrk-${++scripts}.lua`);
  writeFileSync(
    script,
    [
      `wrk.method = ${lua(spec.method)}`,
      spec.body !== undefined ? `wrk.body = ${lua(spec.body)}` : '',
      ...Object.entries(spec.headers ?? {}).map(([k, v]) => `wrk.headers[ ${lua(k)} ] = ${lua(v)}`),
      'done = function(summary, latency, requests)',
      '  local e = summary.errors',
      '  io.write(string.format("\\nBENCH_JSON {\\"requests\\":%d,\\"duration_us\\":%d,\\"p50\\":%d,\\"p99\\":%d,\\"errors\\":%d}\\n",',
      '    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))',
      'end',
      '',
    ].join('\n'),
  );
  const args = ['-t1', `-c${spec.connections}`, `-d${Math.max(1, Math.round(spec.seconds))}s`, '--timeout', '10s', '-s', script, spec.url];
  const out = await new Promise<string>((resolve, reject) => {
    execFile('wrk', args, { timeout: (spec.seconds + 60) * 1000, encoding: 'utf8' }, (err, stdout, stderr) => (err ? reject(new Error(`wrk failed: ${err.message}\n${stderr}`)) : resolve(stdout)));
  });
  const line = /^BENCH_JSON (.*)$/m.exec(out)?.[1];
  if (!line) throw new Error(`wrk printed no result:\n${out}`);
  const r = JSON.parse(line) as { requests: number; duration_us: number; p50: number; p99: number; errors: number };
  return { requests: r.requests, rps: r.requests / (r.duration_us / 1e6), p50ms: r.p50 / 1000, p99ms: r.p99 / 1000, errors: r.errors };
}
