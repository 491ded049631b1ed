import { Writable } from 'node:stream';
import type { CommandContext } from './context.ts';
import { UsageError } from './exit-codes.ts';
import type { IoStreams } from './io.ts';

const MAX_BYTES = 4096;

/**
 * Reads a secret from standard input (`--password-stdin`): everything up to
 * EOF, without the final line break. Secrets never come from argv, where
 * `ps` and shell history would show them.
 */
export async function secretFromStdin(streams: IoStreams, what: string): Promise<string> {
  const input = streams.stdin ?? process.stdin;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > MAX_BYTES) throw new UsageError(`the ${what} on standard input is longer than ${MAX_BYTES} bytes`);
    chunks.push(b);
  }
  const value = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (!value) throw new UsageError(`no ${what} on standard input (pipe it in: printf %s "$PASSWORD" | authflow … --password-stdin)`);
  return value;
}

/** Asks twice for a secret on the terminal without echoing it (prompts go to stderr). */
export async function secretFromPrompt(ctx: CommandContext, streams: IoStreams, what: string): Promise<string> {
  if (!ctx.io.stdinIsTTY) throw new UsageError(`there is no terminal to ask for the ${what} on: use --password-stdin`);
  const { password } = await import('@inquirer/prompts');
  const stderr = ctx.io.stderr;
  const output = () =>
    Object.assign(new Writable({ write: (chunk, encoding, callback) => void stderr.write(chunk, encoding, callback) }), {
      isTTY: (stderr as { isTTY?: boolean }).isTTY,
      columns: (stderr as { columns?: number }).columns,
    });
  const context = () => ({ input: streams.stdin ?? process.stdin, output: output() });
  const first = await password({ message: `${what[0]!.toUpperCase()}${what.slice(1)}:`, mask: true }, context());
  const second = await password({ message: `Repeat the ${what}:`, mask: true }, context());
  if (first !== second) throw new UsageError(`the two ${what}s differ`);
  return first;
}
