import { createReadStream, createWriteStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import type { Authflow } from '../../app/index.ts';
import { NotFound } from '../../core/errors.ts';
import type { Tenant } from '../../core/tenants/tenant.ts';
import type { ImportFormat, ImportRowError } from '../../core/users/import/index.ts';
import { actionOf, type CommandContext, type RunEnv } from '../context.ts';
import { withInstall as openInstall } from '../local.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { fields } from '../io.ts';
import { examples } from '../options.ts';

const TENANT_HELP = 'tenant slug or id (default: AUTHFLOW_TENANT)';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface ImportFlags {
  tenant?: string;
  format?: string;
  onConflict?: string;
  dryRun?: boolean;
  errors?: string;
  batchSize?: string;
}

interface ExportFlags {
  tenant?: string;
  format?: string;
  includePasswordHashes?: boolean;
}

/** `user import` and `user export` (registered on the `user` command). */
export function registerUserTransfer(user: Command, run: RunEnv): void {
  user
    .command('import')
    .description('create or update users from a JSON Lines or CSV file (or - for standard input), streaming; rows that cannot be imported are reported by line and the rest imported')
    .option('--tenant <tenant>', TENANT_HELP)
    .option('--format <format>', 'jsonl or csv (default: from the file extension; jsonl for standard input)')
    .option('--on-conflict <action>', 'an existing user (same external_id, else same email): update or skip', 'update')
    .option('--dry-run', 'validate every row and count what would happen; write nothing')
    .option('--errors <file>', 'write the rows that failed to FILE as JSON lines ({"line","field","error"}) instead of standard error')
    .option('--batch-size <n>', 'rows per transaction', '500')
    .argument('<file>', 'the file to read, or - for standard input')
    .addHelpText('after', examples(
      'authflow user import --tenant acme users.jsonl',
      'authflow user import --tenant acme --dry-run --errors rejected.jsonl users.csv',
      'authflow --json user import --tenant acme --on-conflict skip - < users.jsonl',
    ))
    .action(actionOf(run, async (ctx, file, rawFlags) => {
      const flags = rawFlags as ImportFlags;
      const tenantRef = ctx.tenant(flags.tenant);
      const format = formatOf(file as string, flags.format);
      if (flags.onConflict !== 'update' && flags.onConflict !== 'skip') throw new UsageError(`--on-conflict must be update or skip, not "${flags.onConflict}"`);
      const batchSize = Number(flags.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new UsageError('--batch-size must be a whole number from 1 to 10000');
      const { importUsers, recordsOf } = await import('../../core/users/import/index.ts');
      const errorsOut = flags.errors ? createWriteStream(flags.errors, { mode: 0o600 }) : undefined;
      const report = (e: ImportRowError) => {
        if (errorsOut) errorsOut.write(`${JSON.stringify(e)}\n`);
        else ctx.io.stderr.write(ctx.io.json ? `${JSON.stringify(e)}\n` : `authflow: line ${e.line}: ${e.error}\n`);
      };
      const summary = await withInstall(ctx, async (af) => {
        const tenant = await tenantOf(af, tenantRef);
        const source = file === '-' ? (run.streams.stdin ?? process.stdin) : createReadStream(file as string);
        return importUsers(af, tenant, recordsOf(format, source as AsyncIterable<Buffer>), {
          onConflict: flags.onConflict as 'update' | 'skip',
          dryRun: flags.dryRun === true,
          batchSize,
          concurrency: availableParallelism(),
          onError: report,
        });
      }).finally(() => (errorsOut ? new Promise<void>((resolve) => errorsOut.end(resolve)) : undefined));
      ctx.io.result(summary, () =>
        `${summary.dry_run ? 'Dry run (nothing written): would have' : 'Imported:'}\n${fields([
          ['created', summary.created],
          ['updated', summary.updated],
          ['unchanged', summary.unchanged],
          ['skipped', summary.skipped],
          ['failed', summary.failed],
        ])}`,
      );
      return summary.failed > 0 ? EXIT.validation : EXIT.ok;
    }));

  user
    .command('export')
    .description("write a tenant's users as JSON Lines or CSV (the format user import reads), streaming; password hashes only with --include-password-hashes")
    .option('--tenant <tenant>', TENANT_HELP)
    .option('--format <format>', 'jsonl or csv (default: from the file extension; jsonl for standard output)')
    .option('--include-password-hashes', 'add password_hash (the stored hash): the file then holds secrets, written with mode 0600')
    .argument('[file]', 'the file to write, or - for standard output', '-')
    .addHelpText('after', examples(
      'authflow user export --tenant acme > users.jsonl',
      'authflow user export --tenant acme --include-password-hashes acme-users.jsonl',
      'authflow user export --tenant acme --format csv - | authflow user import --tenant staging --format csv -',
    ))
    .action(actionOf(run, async (ctx, file, rawFlags) => {
      const flags = rawFlags as ExportFlags;
      const tenantRef = ctx.tenant(flags.tenant);
      const format = formatOf(file as string, flags.format);
      const { exportUsers } = await import('../../core/users/export-users.ts');
      let exported = 0;
      await withInstall(ctx, async (af) => {
        const tenant = await tenantOf(af, tenantRef);
        const rows = Readable.from(
          (async function* () {
            for await (const chunk of exportUsers(af, tenant, { format, includePasswordHashes: flags.includePasswordHashes === true })) {
              exported += 1;
              yield chunk;
            }
          })(),
        );
        if (file === '-') await pipeline(rows, ctx.io.stdout, { end: false });
        else await pipeline(rows, createWriteStream(file as string, { mode: flags.includePasswordHashes ? 0o600 : 0o644 }));
      });
      if (format === 'csv') exported -= 1; // the header
      // Standard output carries the rows: the summary goes there only when they went to a file.
      if (file !== '-') ctx.io.result({ exported, file, format, password_hashes: flags.includePasswordHashes === true }, `Exported ${exported} user(s) to ${file as string}.`);
    }));
}

function formatOf(file: string, flag: string | undefined): ImportFormat {
  const format = flag ?? (extname(file).toLowerCase() === '.csv' ? 'csv' : file === '-' || ['.jsonl', '.ndjson', '.json'].includes(extname(file).toLowerCase()) ? 'jsonl' : undefined);
  if (format === undefined) throw new UsageError(`cannot tell the format of "${file}" from its extension: pass --format jsonl or --format csv`);
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError(`--format must be jsonl or csv, not "${format}"`);
  return format;
}

/** Opens this install's database (these commands stream rows: there is no management API route for them). */
function withInstall<T>(ctx: CommandContext, fn: (af: Authflow) => Promise<T>): Promise<T> {
  return openInstall(ctx, 'user import and user export', fn);
}

async function tenantOf(af: Authflow, ref: string): Promise<Tenant> {
  const tenant = UUID.test(ref) ? await af.repo.tenants.byId(ref) : await af.repo.tenants.bySlug(ref);
  if (!tenant) throw new NotFound(`no tenant "${ref}"`);
  return tenant;
}
