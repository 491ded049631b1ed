import type { Command } from 'commander';
import { EXIT, UsageError } from './exit-codes.ts';
import type { Config, RawConfig } from '../config/index.ts';
import type { AdminClient } from './admin-client.ts';
import { createIo, type Io, type IoStreams } from './io.ts';

export interface GlobalOptions {
  readonly dataDir?: string;
  readonly databaseUrl?: string;
  /** Base URL of a running server: management commands then go through its API. */
  readonly url?: string;
  readonly json?: boolean;
  readonly yes?: boolean;
}

/** What every command action receives: its io, the global flags and a config loader. */
export interface CommandContext {
  readonly io: Io;
  readonly globals: GlobalOptions;
  readonly env: NodeJS.ProcessEnv;
  /** Loads the config, with the command's own flags on top of the global ones. */
  config(flags?: RawConfig): Promise<Config>;
  /**
   * Runs `fn` with the management use-cases: on this install's database, or
   * through the management API of the server at `--url` / AUTHFLOW_URL.
   */
  withAdmin<T>(fn: (admin: AdminClient) => Promise<T>): Promise<T>;
  /** The tenant to act on: `--tenant`, else AUTHFLOW_TENANT; a usage error when neither is set. */
  tenant(flag: string | undefined): string;
  /**
   * Goes ahead with a destructive action only when `--yes` was given or the
   * user says yes on the terminal. Without a terminal it is a usage error.
   */
  confirm(question: string, action: string): Promise<void>;
}

export interface RunEnv {
  readonly streams: IoStreams;
  readonly env: NodeJS.ProcessEnv;
  /** `--json` was given: errors, commander's own included, are reported as one JSON document. */
  readonly json?: boolean;
  /** Set by the action; main returns it as the process exit code. */
  exitCode: number;
}

/** The user said no to a destructive action. */
export class Cancelled extends Error {
  override name = 'Cancelled';
}

export function contextOf(cmd: Command, run: RunEnv): CommandContext {
  const globals = cmd.optsWithGlobals() as GlobalOptions;
  const io = createIo(globals.json === true, run.streams);
  const ctx: CommandContext = {
    io,
    globals,
    env: run.env,
    async config(flags = {}) {
      const { loadConfig } = await import('../config/index.ts');
      return loadConfig({
        dataDir: globals.dataDir,
        env: run.env,
        flags: { ...(globals.databaseUrl ? { database_url: globals.databaseUrl } : {}), ...flags },
      });
    },
    async withAdmin(fn) {
      const { openAdminClient } = await import('./admin-client.ts');
      const admin = await openAdminClient(ctx);
      try {
        return await fn(admin);
      } finally {
        await admin.close();
      }
    },
    tenant(flag) {
      const tenant = flag ?? (run.env.AUTHFLOW_TENANT || undefined);
      if (!tenant) throw new UsageError('no tenant given: pass --tenant SLUG or set AUTHFLOW_TENANT');
      return tenant;
    },
    async confirm(question, action) {
      if (globals.yes) return;
      if (!io.stdinIsTTY) throw new UsageError(`refusing to ${action} without confirmation: pass --yes (there is no terminal to ask on)`);
      if (!(await io.confirm(question))) throw new Cancelled(`cancelled: did not ${action}`);
    },
  };
  return ctx;
}

export type Action = (ctx: CommandContext, ...args: unknown[]) => Promise<number | void>;

/** Wraps a command action: builds its context, maps thrown errors to exit codes. Heavy modules load inside `action`. */
export function actionOf(run: RunEnv, action: Action) {
  return async (...args: unknown[]) => {
    const cmd = args.at(-1) as Command;
    const ctx = contextOf(cmd, run);
    try {
      run.exitCode = (await action(ctx, ...args.slice(0, -1))) ?? EXIT.ok;
    } catch (e) {
      run.exitCode = ctx.io.fail(e);
    }
  };
}
