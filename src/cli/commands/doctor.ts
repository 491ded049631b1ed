import type { Command } from 'commander';
import { actionOf, type RunEnv } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { BUILD } from '../version.ts';

export function registerDoctor(program: Command, run: RunEnv): void {
  program
    .command('doctor')
    .description('check the install (permissions, config, master key, database, migrations, public URL, clock) and say what to fix; with --url, check that server (TLS, readiness, API key, version, clock)')
    .action(actionOf(run, async (ctx) => {
      const { diagnose, diagnoseRemote } = await import('../../app/index.ts');
      const url = ctx.globals.url ?? (ctx.env.AUTHFLOW_URL || undefined);
      let checks;
      if (url !== undefined) {
        const { apiKeyOf, serverUrl } = await import('../admin-client.ts');
        checks = await diagnoseRemote({ url: serverUrl(url), apiKey: apiKeyOf(ctx.env), localVersion: BUILD.version });
      } else {
        checks = await diagnose({ dataDir: ctx.globals.dataDir, env: ctx.env, flags: ctx.globals.databaseUrl ? { database_url: ctx.globals.databaseUrl } : {}, buildTime: BUILD.builtAt });
      }
      const failed = checks.filter((c) => c.status === 'fail').length;
      const warned = checks.filter((c) => c.status === 'warn').length;
      ctx.io.result({ ok: failed === 0, checks }, () =>
        [
          ...checks.map((c) => `${c.status.toUpperCase().padEnd(5)} ${c.name.padEnd(17)} ${c.detail}${c.fix ? `\n${' '.repeat(24)}→ ${c.fix}` : ''}`),
          '',
          failed ? `${failed} check(s) failed.` : warned ? `No check failed; ${warned} warning(s) above.` : 'All checks passed.',
        ].join('\n'),
      );
      return failed ? EXIT.validation : EXIT.ok;
    }));
}
