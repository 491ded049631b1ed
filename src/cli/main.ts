import { Command, CommanderError, Option } from 'commander';
import { EXIT, UsageError } from './exit-codes.ts';
import { createIo, type IoStreams } from './io.ts';
import type { RunEnv } from './context.ts';
import { versionLine } from './version.ts';
import { registerDb } from './commands/db.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerInit } from './commands/init.ts';
import { registerSecrets } from './commands/secrets.ts';
import { registerServe } from './commands/serve.ts';
import { registerTenant } from './commands/tenant.ts';
import { registerClient } from './commands/client.ts';
import { registerKey } from './commands/key.ts';
import { registerApiKey } from './commands/apikey.ts';
import { registerUser } from './commands/user.ts';
import { registerAudit } from './commands/audit.ts';
import { registerMail } from './commands/mail.ts';
import { registerSecurity } from './commands/security.ts';
import { registerLicense } from './commands/license.ts';
import { registerUsage } from './commands/usage.ts';
import { registerPlan } from './commands/plan.ts';

export function buildProgram(run: RunEnv): Command {
  const program = new Command('authflow')
    .description('Self-hosted OpenID Connect provider for many tenants.')
    .version(versionLine(), '-V, --version', 'print version, commit and Node.js version')
    .addOption(new Option('--data-dir <dir>', 'data directory: config, master key, SQLite database (env: AUTHFLOW_DATA_DIR, default ./authflow-data)'))
    .addOption(new Option('--database-url <url>', 'postgres://… to use PostgreSQL instead of the embedded SQLite file'))
    .option('--url <url>', 'manage the server at this base URL through its management API, with the key in AUTHFLOW_API_KEY (env AUTHFLOW_URL)')
    .option('--json', 'machine-readable output: one JSON document on stdout')
    .option('-y, --yes', 'do not ask before destructive actions')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run "authflow --help" for usage)')
    // Wrap descriptions even beside long command names (commander's default gives up below 40 columns).
    .configureHelp({ minWidthToWrap: 24 })
    .configureOutput({
      writeOut: (s) => void (run.streams.stdout ?? process.stdout).write(s),
      // With --json, main reports commander's errors as the JSON error document instead.
      writeErr: (s) => void (run.json ? undefined : (run.streams.stderr ?? process.stderr).write(s)),
      outputError: (s, write) => write(withIdHint(s.trimEnd()) + '\n'),
    })
    .exitOverride();

  registerInit(program, run);
  registerServe(program, run);
  registerDb(program, run);
  registerDoctor(program, run);
  registerTenant(program, run);
  registerClient(program, run);
  registerKey(program, run);
  registerApiKey(program, run);
  registerUser(program, run);
  registerAudit(program, run);
  registerMail(program, run);
  registerSecurity(program, run);
  registerLicense(program, run);
  registerUsage(program, run);
  registerPlan(program, run);
  registerSecrets(program, run);

  for (const cmd of program.commands) {
    cmd.exitOverride().showSuggestionAfterError(true);
    for (const sub of cmd.commands) sub.exitOverride().showSuggestionAfterError(true);
  }
  return program;
}

/** Runs the CLI in-process and returns the exit code (tests call this directly). */
export async function main(argv: readonly string[], streams: IoStreams = {}, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const json = argv.includes('--json');
  const run: RunEnv = { streams, env, json, exitCode: EXIT.ok };
  quietWhenReaderCloses(streams.stdout ?? process.stdout, run);
  const program = buildProgram(run);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return run.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      if (e.code === 'commander.executeSubCommandAsync') return EXIT.failure;
      if (json) return createIo(true, streams).fail(new UsageError(withIdHint(e.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim())));
      return EXIT.usage;
    }
    return createIo(json, streams).fail(e);
  }
}

/**
 * `authflow … | head -1`: once the reader has gone, what is left to print has nowhere to go. Like any Unix
 * filter, stop quietly (no stack trace); the exit code is what the command had reached.
 */
const watched = new WeakSet<NodeJS.WritableStream>();
function quietWhenReaderCloses(stdout: NodeJS.WritableStream, run: RunEnv): void {
  if (watched.has(stdout)) return;
  watched.add(stdout);
  stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    if (stdout === process.stdout) process.exit(run.exitCode);
  });
}

/**
 * Client ids and key ids are base64url and may start with "-", which reads as
 * an option. The usual cure is "--" before them; say so when that is the likely cause.
 */
function withIdHint(message: string): string {
  const id = /unknown option '(-[A-Za-z0-9_-]{15,})'/.exec(message)?.[1];
  return id ? `${message} (an id that starts with "-" goes last, after "--": … --tenant T -- ${id})` : message;
}
