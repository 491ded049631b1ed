import type { Command } from 'commander';
import { EXIT } from './exit-codes.ts';
import type { Config, RawConfig } from '../config/index.ts';
import { createIo, type Io, type IoStreams } from './io.ts';

export interface GlobalOptions {
  readonly dataDir?: string;
  readonly databaseUrl?: string;
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
}

export interface RunEnv {
  readonly streams: IoStreams;
  readonly env: NodeJS.ProcessEnv;
  /** Set by the action; main returns it as the process exit code. */
  exitCode: number;
}

export function contextOf(cmd: Command, run: RunEnv): CommandContext {
  const globals = cmd.optsWithGlobals() as GlobalOptions;
  return {
    io: createIo(globals.json === true, run.streams),
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
  };
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

