import { Writable } from 'node:stream';
import { isAuthflowError, ValidationFailed } from '../core/errors.ts';
import { exitCodeFor } from './exit-codes.ts';
import { flagOf } from './flag-names.ts';

/**
 * Output for one command run: human text by default, one JSON document on
 * stdout with --json. Errors go to stderr as one sentence (or `{"error":…}`).
 */
export interface Io {
  readonly json: boolean;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdinIsTTY: boolean;
  /** Prints `data` as JSON with --json, otherwise the human text. */
  result(data: unknown, human: string | (() => string)): void;
  /** Human-only notes (progress, hints); silent with --json. */
  note(text: string): void;
  /** Reports a failure and returns its exit code. */
  fail(e: unknown): number;
  /** Asks a yes/no question on the terminal (the prompt goes to stderr, so stdout stays clean). */
  confirm(question: string): Promise<boolean>;
  /** Where prompts read and write: the terminal's input, and stderr (stdout stays for results). */
  readonly prompts: PromptStreams;
}

export interface PromptStreams {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
}

export interface IoStreams {
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdinIsTTY?: boolean;
}

export function createIo(json: boolean, streams: IoStreams = {}): Io {
  const stdout = streams.stdout ?? process.stdout;
  const stderr = streams.stderr ?? process.stderr;
  return {
    json,
    stdout,
    stderr,
    stdinIsTTY: streams.stdinIsTTY ?? process.stdin.isTTY === true,
    result(data, human) {
      stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${typeof human === 'function' ? human() : human}\n`);
    },
    note(text) {
      if (!json) stdout.write(`${text}\n`);
    },
    fail(e) {
      const { exit, code } = exitCodeFor(e);
      const message = messageOf(e);
      stderr.write(json ? `${JSON.stringify({ error: { code, message } })}\n` : `authflow: ${message}\n`);
      return exit;
    },
    get prompts() {
      return promptsOf(streams, stderr);
    },
    async confirm(question) {
      const { confirm } = await import('@inquirer/prompts');
      try {
        return await confirm({ message: question, default: false }, promptsOf(streams, stderr));
      } catch (e) {
        if (isPromptExit(e)) return false; // Ctrl-C
        throw e;
      }
    },
  };
}

function promptsOf(streams: IoStreams, stderr: NodeJS.WritableStream): PromptStreams {
  // The prompt library ends its output stream when done; stderr must outlive it.
  const output = Object.assign(new Writable({ write: (chunk, encoding, callback) => void stderr.write(chunk, encoding, callback) }), {
    isTTY: (stderr as { isTTY?: boolean }).isTTY,
    columns: (stderr as { columns?: number }).columns,
  });
  return { input: streams.stdin ?? process.stdin, output };
}

/** The prompts of a command, for `@inquirer/prompts`' context argument. */
export function promptStreams(ctx: { readonly io: Io }): PromptStreams {
  return ctx.io.prompts;
}

/** Ctrl-C (or Ctrl-D) at a prompt. */
export function isPromptExit(e: unknown): boolean {
  return e instanceof Error && (e.name === 'ExitPromptError' || e.name === 'AbortPromptError');
}

function messageOf(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const known = ['ConfigError', 'UsageError', 'AuthflowError', 'NotFound', 'Conflict', 'ValidationFailed', 'NotPermitted', 'PreconditionFailed', 'Unavailable', 'Cancelled'];
  // A rule broken by a flag's value names the flag as typed.
  if (e instanceof ValidationFailed && e.field) {
    const flag = flagOf(e.field);
    const reason = flag.startsWith('--set ') && e.reason === 'is not a known field' ? 'is not a tenant setting' : e.reason;
    return `${flag}: ${reason}`.replace(/\s+$/, '');
  }
  if (isAuthflowError(e) || known.includes(e.name)) return e.message.replace(/\s+$/, '');
  if (isPromptExit(e)) return 'cancelled: nothing was changed';
  const listenProblem = listenErrorOf(e);
  if (listenProblem) return listenProblem;
  // Anything unexpected: say what failed without internals. Set AUTHFLOW_DEBUG=1 for the stack.
  if (process.env.AUTHFLOW_DEBUG) return e.stack ?? e.message;
  return `unexpected failure (${e.name}): ${e.message}`;
}

/** A listening socket that could not be opened, said the way an operator fixes it. */
function listenErrorOf(e: Error): string | undefined {
  const { code, syscall, address, port } = e as NodeJS.ErrnoException & { address?: string; port?: number };
  if (syscall !== 'listen' || port === undefined) return undefined;
  const where = `${address && address.includes(':') ? `[${address}]` : (address ?? '')}:${port}`;
  const choose = 'choose another with --port N (or listen: host:port in authflow.yaml, or AUTHFLOW_LISTEN)';
  if (code === 'EADDRINUSE') return `cannot listen on ${where}: the port is already in use (another authflow serve?); stop that process or ${choose}`;
  if (code === 'EACCES') return `cannot listen on ${where}: ports below 1024 need privileges; ${choose}, and put a reverse proxy on the low port`;
  if (code === 'EADDRNOTAVAIL') return `cannot listen on ${where}: this machine has no such address; use --host 127.0.0.1, 0.0.0.0 or one of its own addresses`;
  return undefined;
}

/** Renders `label: value` lines with the values aligned; null, undefined and empty lists show as "-". */
export function fields(rows: readonly (readonly [string, unknown])[]): string {
  const width = Math.max(...rows.map(([label]) => label.length + 1));
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${text(value)}`.trimEnd()).join('\n');
}

/** One value as human text: "-" for nothing, lists joined by commas, objects as compact JSON. */
export function text(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.length ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ') : '-';
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** Renders rows as an aligned text table. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}
