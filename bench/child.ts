// Server processes the bench starts: spawned with their output in a log file
// (never through a pipe this process would have to drain), polled until they
// answer, and stopped by their own pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { request } from './http.ts';

export interface Running {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly log: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

const live = new Set<Running>();

/** A port nobody listens on now (loopback). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function start(name: string, command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; log: string; cwd?: string }): Running {
  const fd = openSync(options.log, 'a');
  const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running: Running = {
    name,
    pid: child.pid,
    child,
    log: options.log,
    exited,
    async stop() {
      live.delete(running);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  live.add(running);
  void exited.then(() => live.delete(running));
  return running;
}

/** Polls `url` until it answers 200; fails if the process exits first or after `timeoutMs`. */
export async function untilOk(proc: Running, url: string, timeoutMs = 20_000, pollMs = 20): Promise<number> {
  const started = performance.now();
  let gone = false;
  void proc.exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`${proc.name} exited before ${url} answered:\n${tail(proc.log)}`);
    const r = await request(url, { timeoutMs: 2000 }).catch(() => undefined);
    if (r?.status === 200) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`${proc.name}: ${url} did not answer 200 within ${timeoutMs} ms (last: ${r?.status ?? 'no answer'}):\n${tail(proc.log)}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Stops every server still running (on the way out, also after a failure). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((r) => r.stop()));
}

/** A child program the bench runs to completion, reading its one JSON document from stdout. */
export function runJson<T>(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs: number }): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}:\n${err}${out}`.slice(0, 4000)));
      try {
        resolve(JSON.parse(out) as T);
      } catch {
        reject(new Error(`${command} ${args.join(' ')} printed no JSON:\n${out.slice(0, 2000)}${err.slice(0, 2000)}`));
      }
    });
    child.stdin.end(options.input ?? '');
  });
}
