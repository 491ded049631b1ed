import type { Command } from 'commander';
import { actionOf, type RunEnv } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { BUILD } from '../version.ts';

export function registerDoctor(program: Command, run: RunEnv): void {
  program
    .command('doctor')
    .description('check the install (permissions, config, master key, database, migrations, public URL, clock) and say what to fix')
    .action(actionOf(run, async (ctx) => {
      const { diagnose } = await import('../../app/index.ts');
      const checks = await diagnose({ dataDir: ctx.globals.dataDir, env: ctx.env, flags: ctx.globals.databaseUrl ? { database_url: ctx.globals.databaseUrl } : {}, buildTime: BUILD.builtAt });
      const failed = checks.filter((c) => c.status === 'fail').length;
      ctx.io.result({ ok: failed === 0, checks }, () =>
        [
          ...checks.map((c) => `${c.status.toUpperCase().padEnd(5)} ${c.name.padEnd(17)} ${c.detail}${c.fix ? `\n${' '.repeat(24)}→ ${c.fix}` : ''}`),
          '',
          failed ? `${failed} check(s) failed.` : 'All checks passed.',
        ].join('\n'),
      );
      return failed ? EXIT.validation : EXIT.ok;
    }));
}
