import type { Command } from 'commander';
import { actionOf, type RunEnv } from '../context.ts';

export function registerSecrets(program: Command, run: RunEnv): void {
  const secrets = program.command('secrets').description('the master key ring that encrypts signing keys and other recoverable secrets');

  secrets
    .command('rotate-master-key')
    .description('add a new master key, make it active and re-encrypt every secret under it (running servers follow the key file)')
    .option('--drop-old', 'afterwards, remove master keys no ciphertext uses any more')
    .addHelpText('after', '\nBack up the data dir (master.key and the database) before and after rotating.\n')
    .action(actionOf(run, async (ctx, flags) => {
      const { dropOld } = flags as { dropOld?: boolean };
      const config = await ctx.config();
      if (dropOld) await ctx.confirm('Old master keys will be removed from the key file; backups made before now will need them. Continue?', 'drop old master keys');
      const { rotateMasterKey } = await import('../../app/index.ts');
      const r = await rotateMasterKey(config, { dropOld });
      ctx.io.result(r, () =>
        [
          `Master key rotated: "${r.active_key_id}" is now active in ${r.file}.`,
          `Re-encrypted ${r.reencrypted.signing_keys} signing key(s).`,
          r.dropped.length ? `Removed old master key(s): ${r.dropped.join(', ')}.` : 'Old master keys stay in the ring (use --drop-old to remove unused ones).',
        ].join('\n'),
      );
    }));

  secrets
    .command('reencrypt')
    .description('re-encrypt every secret under the active master key (after changing AUTHFLOW_MASTER_KEY by hand)')
    .action(actionOf(run, async (ctx) => {
      const { reencryptAll } = await import('../../app/index.ts');
      const r = await reencryptAll(await ctx.config());
      ctx.io.result(r, `Re-encrypted ${r.reencrypted.signing_keys} signing key(s) under master key "${r.active_key_id}".`);
    }));

  secrets
    .command('generate-master-key')
    .description('print a new master key entry (id:key) for AUTHFLOW_MASTER_KEY; stores nothing')
    .action(actionOf(run, async (ctx) => {
      const { generateMasterKey } = await import('../../app/index.ts');
      const key = generateMasterKey();
      ctx.io.result({ master_key: key }, key);
    }));
}
