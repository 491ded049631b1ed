import { Writable } from 'node:stream';
import { isAuthflowError } from '../core/errors.ts';
import { exitCodeFor } from './exit-codes.ts';

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
    async confirm(question) {
      const { confirm } = await import('@inquirer/prompts');
      try {
        // The prompt library ends its output stream when done; stderr must outlive it.
        const output = Object.assign(new Writable({ write: (chunk, encoding, callback) => void stderr.write(chunk, encoding, callback) }), {
          isTTY: (stderr as { isTTY?: boolean }).isTTY,
          columns: (stderr as { columns?: number }).columns,
        });
        return await confirm({ message: question, default: false }, { input: streams.stdin ?? process.stdin, output });
      } catch (e) {
        if ((e as Error).name === 'ExitPromptError' || (e as Error).name === 'AbortPromptError') return false; // Ctrl-C
        throw e;
      }
    },
  };
}

function messageOf(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const known = ['ConfigError', 'UsageError', 'AuthflowError', 'NotFound', 'Conflict', 'ValidationFailed', 'NotPermitted', 'PreconditionFailed', 'Unavailable', 'Cancelled'];
  if (isAuthflowError(e) || known.includes(e.name)) return e.message.replace(/\s+$/, '');
  // Anything unexpected: say what failed without internals. Set AUTHFLOW_DEBUG=1 for the stack.
  if (process.env.AUTHFLOW_DEBUG) return e.stack ?? e.message;
  return `unexpected failure (${e.name}): ${e.message}`;
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
