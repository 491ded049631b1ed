import type { Command } from 'commander';
import type { LicenseStatusView, LicenseView } from '../../app/licensing.ts';
import { systemClock } from '../../core/clock.ts';
import { AuthflowError } from '../../core/errors.ts';
import { actionOf, type RunEnv } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { fields, table } from '../io.ts';
import { withInstall } from '../local.ts';
import { examples, repeatable } from '../options.ts';

interface IssueFlags {
  key: string;
  licensee: string;
  plan?: string;
  tenant?: string;
  instance?: string;
  entitle?: string[];
  mau?: string;
  tenants?: string;
  clients?: string;
  expires: string;
  notBefore?: string;
  graceDays?: string;
  out?: string;
}

/** A calendar day (YYYY-MM-DD, UTC) or a full ISO time, as ms; `endOfDay` makes a bare day mean its end. */
function dateFlag(flag: string, value: string, endOfDay: boolean): number {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const ms = Date.parse(day ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(ms)) throw new UsageError(`${flag} must be a date such as 2027-12-31 or an ISO time, not "${value}"`);
  return day && endOfDay ? ms + 86_400_000 - 1000 : ms;
}

function countFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number, not "${value}"`);
  return Number(value);
}

export function registerLicense(program: Command, run: RunEnv): void {
  const license = program
    .command('license')
    .description('licenses: install, inspect and check the instance license; vendors create keys and issue licenses')
    .addHelpText('after', examples(
      'authflow license install acme.lic',
      'authflow license status',
      'authflow license issue --key vendor.jwk --licensee "Acme Corp" --mau 50000 --expires 2027-12-31 --out acme.lic',
    ));

  license
    .command('keygen')
    .description('vendor: create an Ed25519 key for signing licenses (private JWK written with mode 0600; needs no data dir)')
    .requiredOption('--out <file>', 'where to write the private JWK (never overwritten)')
    .action(actionOf(run, async (ctx, rawFlags) => {
      const { licenseKeygen } = await import('../../app/licensing.ts');
      const r = await licenseKeygen((rawFlags as { out: string }).out);
      ctx.io.result(r, () => `Wrote the private key ${r.kid} to ${r.file}. Keep it secret.\nPublic JWK for src/crypto/license-keys.json (or AUTHFLOW_BUILD_LICENSE_KEYS at build time):\n${JSON.stringify(r.public_jwk)}`);
    }));

  license
    .command('issue')
    .description('vendor: sign a license with a key from "license keygen" (works offline, needs no data dir)')
    .requiredOption('--key <file>', 'the private vendor JWK')
    .requiredOption('--licensee <name>', 'the customer, as it should appear on the license')
    .requiredOption('--expires <date>', 'last day of validity (YYYY-MM-DD, UTC) or an ISO time')
    .option('--plan <name>', 'plan name shown to the operator (default enterprise)')
    .option('--tenant <slug>', 'a tenant license for this tenant slug (default: an instance license)')
    .option('--instance <id>', 'bind the license to one installation (its id from "license status")')
    .option('--entitle <feature>', 'a licensed feature (repeatable; see docs/licensing.md)', repeatable)
    .option('--mau <n>', 'monthly active users')
    .option('--tenants <n>', 'number of tenants')
    .option('--clients <n>', 'number of clients (all tenants)')
    .option('--not-before <date>', 'first day of validity (default now)')
    .option('--grace-days <n>', 'days the license keeps working after it expires (default 14)')
    .option('--out <file>', 'write the license file here (default: print it)')
    .addHelpText('after', examples(
      'authflow license issue --key vendor.jwk --licensee "Acme Corp" --plan enterprise --mau 50000 --tenants 20 \\',
      '    --entitle mfa.sms --entitle authz.policies --expires 2027-12-31 --out acme.lic',
    ))
    .action(actionOf(run, async (ctx, rawFlags) => {
      const f = rawFlags as IssueFlags;
      const limits = Object.fromEntries(
        Object.entries({ mau: countFlag('--mau', f.mau), tenants: countFlag('--tenants', f.tenants), clients: countFlag('--clients', f.clients) }).filter(([, v]) => v !== undefined),
      );
      const { licenseIssue } = await import('../../app/licensing.ts');
      const r = await licenseIssue(
        f.key,
        {
          licensee: f.licensee,
          plan: f.plan,
          tenant: f.tenant,
          instance: f.instance,
          entitlements: (f.entitle ?? []) as never,
          limits,
          expires_at: dateFlag('--expires', f.expires, true),
          not_before: f.notBefore === undefined ? undefined : dateFlag('--not-before', f.notBefore, false),
          grace_days: countFlag('--grace-days', f.graceDays),
        },
        f.out,
        systemClock,
      );
      if (ctx.io.json) return ctx.io.result({ ...r.license, file: r.file, ...(r.file ? {} : { text: r.text }) }, '');
      ctx.io.result(r, () => (r.file ? `Issued license ${r.license.id} to ${r.file}.\n${licenseBlock(r.license)}` : r.text.trimEnd()));
    }));

  license
    .command('inspect')
    .description("verify a license file against this build's vendor keys and print it, without installing it")
    .argument('<file>', 'a .lic file')
    .action(actionOf(run, async (ctx, file) => {
      const { licenseInspect } = await import('../../app/licensing.ts');
      const view = await licenseInspect(file as string, systemClock);
      ctx.io.result(view, () => `The license verifies.\n${licenseBlock(view)}`);
    }));

  license
    .command('install')
    .description('verify and install the instance license; running servers apply it within seconds')
    .argument('<file>', 'a .lic file')
    .action(actionOf(run, async (ctx, file) => {
      const view = await withInstall(ctx, 'license install', async (af) => (await import('../../app/licensing.ts')).licenseInstall(af, file as string));
      ctx.io.result(view, () => `Installed license ${view.id}.\n${licenseBlock(view)}`);
    }));

  license
    .command('status')
    .description('plan, entitlements, limits against this month’s usage, expiry, grace and warnings')
    .action(actionOf(run, async (ctx) => {
      const view = await withInstall(ctx, 'license status', async (af) => (await import('../../app/licensing.ts')).licenseStatus(af));
      ctx.io.result(view, () => statusText(view));
    }));

  registerVerifyReport(license, run);

  license
    .command('remove')
    .description('remove the installed instance license (the community entitlements apply; no data is touched)')
    .action(actionOf(run, async (ctx) => {
      const r = await withInstall(ctx, 'license remove', async (af) => {
        await ctx.confirm('Remove the installed license? Licensed features turn off until a license is installed again.', 'remove the license');
        return (await import('../../app/licensing.ts')).licenseRemove(af);
      });
      ctx.io.result(r, `Removed license ${r.removed ?? '(unreadable)'}; the community entitlements apply.`);
    }));
}

export function registerVerifyReport(license: Command, run: RunEnv): void {
  license
    .command('verify-report')
    .description("vendor: verify signed usage reports (signature, hash, and that several form one unbroken chain)")
    .argument('<files...>', 'report.json files from "authflow usage report"')
    .option('--instance-key <file>', "the customer's instance public key (JWK); without it, the key inside the report is used")
    .action(actionOf(run, async (ctx, files, rawFlags) => {
      const { verifyReports } = await import('../../app/licensing.ts');
      const r = await verifyReports(files as string[], (rawFlags as { instanceKey?: string }).instanceKey);
      if (!r.chain_intact) throw new AuthflowError('validation_failed', `the reports verify one by one but do not form one chain: ${r.problems.join('; ')}`);
      ctx.io.result(r, () =>
        [
          ...r.reports.map((c) => `report ${c.seq} (${c.month}, instance ${c.instance_id}): signature and hash verify${c.key_pinned ? '' : ` with the key inside it (kid ${c.kid}); pass --instance-key to check it is the customer's`}`),
          r.reports.length > 1 ? 'The reports form one unbroken chain.' : '',
        ].filter(Boolean).join('\n'),
      );
    }));
}

function licenseBlock(v: LicenseView): string {
  return fields([
    ['id', v.id],
    ['licensee', v.licensee],
    ['plan', v.plan],
    ['scope', v.scope === 'tenant' ? `tenant ${v.tenant}` : 'instance'],
    ['instance', v.instance],
    ['valid', `${v.not_before.slice(0, 10)} to ${v.expires_at.slice(0, 10)} (grace ${v.grace_days} days, until ${v.grace_ends_at.slice(0, 10)})`],
    ['phase', v.phase],
    ['entitlements', v.entitlements.join(', ') || 'none'],
    ['limits', Object.entries(v.limits).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'],
  ]);
}

function statusText(s: LicenseStatusView): string {
  const head = fields([
    ['instance_id', s.instance_id],
    ['plan', s.plan],
    ['license', s.license ? `${s.license.id} (${s.license.licensee}, from the ${s.source === 'file' ? 'license file' : 'database'})` : 'none: community entitlements'],
    ['phase', s.phase],
    ['expires', s.license ? `${s.license.expires_at.slice(0, 10)}, grace until ${s.license.grace_ends_at.slice(0, 10)}` : null],
    ['entitlements', s.entitlements.join(', ') || 'none beyond the community set'],
  ]);
  const usage = table([['LIMIT', `USED (${s.month})`, 'MAX', 'SHARE'], ...s.usage.map((u) => [u.limit, String(u.used), u.max === null ? 'unlimited' : String(u.max), u.share === null ? '' : `${Math.round(u.share * 100)} %`])]);
  const warnings = s.warnings.length ? `\nwarnings:\n${s.warnings.map((w) => `  - ${w}`).join('\n')}` : '\nNo warnings.';
  return `${head}\n\n${usage}${warnings}`;
}
