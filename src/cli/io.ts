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
}

export interface IoStreams {
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
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
  };
}

function messageOf(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const known = ['ConfigError', 'UsageError', 'AuthflowError', 'NotFound', 'Conflict', 'ValidationFailed', 'NotPermitted', 'Unavailable'];
  if (known.includes(e.name)) return e.message.replace(/\s+$/, '');
  // Anything unexpected: say what failed without internals. Set AUTHFLOW_DEBUG=1 for the stack.
  if (process.env.AUTHFLOW_DEBUG) return e.stack ?? e.message;
  return `unexpected failure (${e.name}): ${e.message}`;
}

/** Renders rows as an aligned text table. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}
