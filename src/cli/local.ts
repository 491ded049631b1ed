import type { Authflow } from '../app/index.ts';
import { Unavailable } from '../core/errors.ts';
import type { CommandContext } from './context.ts';
import { UsageError } from './exit-codes.ts';

/**
 * Opens this install's database for a command that works on it directly
 * (no management API route), refusing `--url` and a schema that is not this build's.
 */
export async function withInstall<T>(ctx: CommandContext, command: string, fn: (af: Authflow) => Promise<T>): Promise<T> {
  if (ctx.globals.url ?? (ctx.env.AUTHFLOW_URL || undefined)) throw new UsageError(`${command} works on the database directly: run it without --url / AUTHFLOW_URL`);
  const { openAuthflow, createLogger } = await import('../app/index.ts');
  const af = await openAuthflow(await ctx.config(), { migrate: false, logger: createLogger({ logLevel: 'silent', logFormat: 'json' }, process.stderr) });
  try {
    const m = await af.database.migrationStatus();
    if (m.unknown.length) throw new Unavailable(`the database is newer than this build of authflow (${m.unknown.join(', ')}); upgrade authflow`);
    if (m.pending.length) throw new Unavailable(`the database needs ${m.pending.length} migration(s) this build brings: run "authflow db migrate" first`);
    return await fn(af);
  } finally {
    await af.close();
  }
}
