import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';

/**
 * argon2 kept cheap in tests (slow parts are swapped through config), and
 * every request in the access log, so that "never logged" assertions look at
 * real log lines (the default logs only 5xx and slow requests).
 */
export const TEST_ENV: Readonly<Record<string, string>> = Object.freeze({
  AUTHFLOW_ARGON2_MEMORY_COST: '1024',
  AUTHFLOW_ARGON2_TIME_COST: '1',
  AUTHFLOW_LOG_ACCESS: 'true',
  // One process: the in-process CLI cannot fork the test runner into a cluster (the e2e suite runs workers).
  AUTHFLOW_WORKERS: '1',
});

/** A writable stream that keeps everything written to it, as text. */
export class TextSink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    callback();
  }
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as the one JSON document `--json` promises. */
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** stderr parsed as the `{"error":{…}}` document `--json` promises on failure. */
  errorJson(): { error: { code: string; message: string } };
}

export interface RunCliOptions {
  /** Added to TEST_ENV. The real process environment is never passed through: runs are hermetic. */
  readonly env?: Record<string, string | undefined>;
  readonly stdinIsTTY?: boolean;
}

/** Runs the CLI in-process (`main`), capturing stdout and stderr in memory. */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  const stdout = new TextSink();
  const stderr = new TextSink();
  const env: NodeJS.ProcessEnv = { ...TEST_ENV, ...options.env };
  const code = await main(argv, { stdout, stderr, stdinIsTTY: options.stdinIsTTY ?? false }, env);
  return {
    code,
    stdout: stdout.text,
    stderr: stderr.text,
    json() {
      return JSON.parse(stdout.text);
    },
    errorJson() {
      return JSON.parse(stderr.text);
    },
  };
}
