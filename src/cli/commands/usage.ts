import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { UsageRecordView, UsageView } from '../../core/admin/index.ts';
import { systemClock } from '../../core/clock.ts';
import { monthOf, parseMonth } from '../../core/usage/calendar.ts';
import { actionOf, type RunEnv } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { table } from '../io.ts';
import { withInstall } from '../local.ts';
import { examples } from '../options.ts';

const BREAKDOWNS = ['day', 'method', 'client', 'browser', 'os', 'device', 'failure'];

/** A horizontal bar of `width` cells for value/max (eighths for the last cell). */
function bar(value: number, max: number, width = 30): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + (eighths % 8 ? '▏▎▍▌▋▊▉'[(eighths % 8) - 1] : '');
}

/** One character per value, scaled to the largest. */
function sparkline(values: readonly number[]): string {
  const max = Math.max(...values, 0);
  return values.map((v) => (max === 0 || v === 0 ? '·' : '▁▂▃▄▅▆▇█'[Math.min(7, Math.floor((v / max) * 7.999))])).join('');
}

function showText(v: UsageView): string {
  const head = `${v.tenant ? `Tenant ${v.tenant}` : 'All tenants'}, ${v.month}: ${v.mau} monthly active user${v.mau === 1 ? '' : 's'}`;
  const tenants = !v.tenant && v.tenants.length > 1 ? `\n${table([['TENANT', 'MAU'], ...v.tenants.map((t) => [t.tenant, String(t.mau)])])}\n` : '';
  if (v.by === 'day') {
    if (!v.rows.length) return `${head}${tenants}`;
    const max = Math.max(...v.rows.map((r) => r.signins ?? 0));
    const rows = v.rows.map((r) => [r.key, String(r.value), String(r.signins ?? 0), String(r.failures ?? 0), String(r.registrations ?? 0), bar(r.signins ?? 0, max)]);
    return `${head}${tenants}\nnew active users by day  ${sparkline(v.rows.map((r) => r.value))}\n\n${table([['DAY', 'NEW ACTIVE', 'SIGN-INS', 'FAILURES', 'REGISTRATIONS', ''], ...rows])}`;
  }
  if (!v.rows.length) return `${head}${tenants}\nNo ${v.by === 'failure' ? 'failed sign-ins' : 'sign-ins'} recorded this month.`;
  const max = Math.max(...v.rows.map((r) => r.value));
  return `${head}${tenants}\n${table([[v.by === 'failure' ? 'REASON' : v.by.toUpperCase(), 'COUNT', ''], ...v.rows.map((r) => [r.key, String(r.value), bar(r.value, max)])])}`;
}

function csvOf(rows: readonly UsageRecordView[]): string {
  const cell = (s: string | number) => (/[",\n\r]/.test(String(s)) ? `"${String(s).replace(/"/g, '""')}"` : String(s));
  return ['tenant,day,metric,dimension,count', ...rows.map((r) => [r.tenant, r.day, r.metric, r.dimension, r.count].map(cell).join(','))].join('\n') + '\n';
}

function monthFlag(value: string | undefined): string | undefined {
  return value === undefined ? undefined : parseMonth(value, systemClock.now(), '--month');
}

export function registerUsage(program: Command, run: RunEnv): void {
  const usage = program
    .command('usage')
    .description('monthly active users and sign-in analytics; signed monthly usage reports')
    .addHelpText('after', examples('authflow usage show', 'authflow usage show --tenant acme --by method', 'authflow usage export --format csv > usage.csv', 'authflow usage report --month 2026-11 --out report.json'));

  usage
    .command('show')
    .description("a month's monthly active users and one breakdown (a bar chart; --json for scripts)")
    .option('--tenant <tenant>', 'one tenant (slug or id); default: all')
    .option('--month <YYYY-MM>', 'the UTC month (default: this month)')
    .option('--by <what>', `rows by ${BREAKDOWNS.join(', ')} (default day)`)
    .action(actionOf(run, async (ctx, rawFlags) => {
      const f = rawFlags as { tenant?: string; month?: string; by?: string };
      if (f.by !== undefined && !BREAKDOWNS.includes(f.by)) throw new UsageError(`--by must be one of ${BREAKDOWNS.join(', ')}, not "${f.by}"`);
      const month = monthFlag(f.month);
      const view = await ctx.withAdmin((admin) => admin.usage.show({ tenant: f.tenant, month, by: f.by }));
      ctx.io.result(view, () => showText(view));
    }));

  usage
    .command('export')
    .description("every daily counter of a month, and each tenant's MAU (metric mau), as CSV or JSON")
    .option('--tenant <tenant>', 'one tenant (slug or id); default: all')
    .option('--month <YYYY-MM>', 'the UTC month (default: this month)')
    .option('--format <format>', 'csv or json (default csv)', 'csv')
    .option('--out <file>', 'write here instead of stdout')
    .action(actionOf(run, async (ctx, rawFlags) => {
      const f = rawFlags as { tenant?: string; month?: string; format: string; out?: string };
      if (f.format !== 'csv' && f.format !== 'json') throw new UsageError(`--format must be csv or json, not "${f.format}"`);
      const month = monthFlag(f.month);
      const rows = await ctx.withAdmin((admin) => admin.usage.export({ tenant: f.tenant, month }));
      const body = f.format === 'csv' ? csvOf(rows) : `${JSON.stringify({ month: month ?? monthOf(systemClock.now()), items: rows }, null, 2)}\n`;
      if (f.out) {
        await writeFile(f.out, body);
        return ctx.io.result({ file: f.out, records: rows.length }, `Wrote ${rows.length} records to ${f.out}.`);
      }
      ctx.io.stdout.write(body);
    }));

  usage
    .command('report')
    .description("sign the month's usage report with this instance's key, chained to the previous report (for the vendor: license verify-report)")
    .requiredOption('--month <YYYY-MM>', 'the UTC month')
    .option('--out <file>', 'write the report here (default: print it)')
    .action(actionOf(run, async (ctx, rawFlags) => {
      const f = rawFlags as { month: string; out?: string };
      const month = monthFlag(f.month)!;
      const r = await withInstall(ctx, 'usage report', async (af) => (await import('../../app/licensing.ts')).usageReport(af, month, f.out));
      if (!f.out && !ctx.io.json) return void ctx.io.stdout.write(r.text);
      ctx.io.result({ seq: r.seq, month: r.month, hash: r.hash, file: r.file, instance_key: r.instance_key, ...(r.file ? {} : { report: JSON.parse(r.text) }) }, () => `Wrote usage report ${r.seq} for ${r.month} to ${r.file}.\nInstance public key (for --instance-key): ${JSON.stringify(r.instance_key)}`);
    }));
}
