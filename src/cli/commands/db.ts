import type { Command } from 'commander';
import { actionOf, type RunEnv } from '../context.ts';
import { table } from '../io.ts';

export function registerDb(program: Command, run: RunEnv): void {
  const db = program.command('db').description('database schema: migrate and status');

  db.command('migrate')
    .description('apply pending migrations (safe while servers run; Postgres uses an advisory lock)')
    .action(actionOf(run, async (ctx) => {
      const config = await ctx.config();
      const { migrateDatabase } = await import('../../app/index.ts');
      const { kind, applied, status } = await migrateDatabase(config);
      ctx.io.result({ database: kind, applied, current: status.applied.length, pending: status.pending.length }, () =>
        applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'The database is up to date.',
      );
    }));

  db.command('status')
    .description('list migrations and whether each is applied')
    .action(actionOf(run, async (ctx) => {
      const config = await ctx.config();
      const { databaseStatus } = await import('../../app/index.ts');
      const { kind, status: s } = await databaseStatus(config);
      const upToDate = s.pending.length === 0 && s.unknown.length === 0;
        ctx.io.result({ database: kind, up_to_date: upToDate, applied: s.applied, pending: s.pending, unknown: s.unknown }, () =>
          [
            table([
              ['MIGRATION', 'STATE'],
              ...s.applied.map((t) => [t, 'applied']),
              ...s.pending.map((t) => [t, 'pending']),
              ...s.unknown.map((t) => [t, 'unknown to this build']),
            ]),
            '',
            upToDate ? `${kind}: up to date.` : s.pending.length ? `${kind}: ${s.pending.length} pending; run "authflow db migrate".` : `${kind}: the database is newer than this build; upgrade authflow.`,
          ].join('\n'),
        );
      return upToDate ? 0 : 5;
    }));
}
