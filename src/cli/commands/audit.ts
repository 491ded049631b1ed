import type { Command } from 'commander';
import type { AuditEventView, AuditListQuery, Page } from '../../core/admin/index.ts';
import type { AdminClient } from '../admin-client.ts';
import { actionOf, type RunEnv } from '../context.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { table, text } from '../io.ts';
import { examples, morePages } from '../options.ts';

const TENANT_HELP = 'tenant slug or id (default: AUTHFLOW_TENANT)';
/** Events fetched per request when reading the log in order (tail, export). */
const BATCH = 200;

/** The filters of a list, as the flags that repeat it. */
function filterFlags(q: AuditListQuery): string {
  return (['actor', 'action', 'target'] as const).map((k) => (q[k] ? ` --${k} ${/^[\w:.@-]+$/.test(q[k]!) ? q[k] : `'${q[k]!.replaceAll("'", `'\\''`)}'`}` : '')).join('');
}

/** `authflow audit list|tail|verify|export`: a tenant's hash-chained audit log. */
export function registerAudit(program: Command, run: RunEnv): void {
  const audit = program
    .command('audit')
    .description("a tenant's hash-chained audit log: list, tail, verify, export")
    .addHelpText('after', examples('authflow audit list --tenant acme --action client.created', 'authflow audit verify --tenant acme', 'authflow audit export --tenant acme > acme-audit.jsonl'));

  audit
    .command('list')
    .description('list audit events, newest first')
    .option('--tenant <tenant>', TENANT_HELP)
    .option('--actor <actor>', 'only events by this actor: admin, api_key:<id>, user:<id>, system')
    .option('--action <action>', 'only events of this action, e.g. user.deleted')
    .option('--target <target>', 'only events about this target, e.g. user:<id> or client:<client_id>')
    .option('--limit <n>', 'how many events per page (1–200, default 50)')
    .option('--cursor <cursor>', 'continue after the page that printed this cursor')
    .addHelpText('after', examples('authflow audit list --tenant acme --target user:0190c0de-…', 'authflow audit list --tenant acme --actor admin --json | jq -r ".items[].action"'))
    .action(actionOf(run, async (ctx, rawFlags) => {
      const flags = rawFlags as { tenant?: string; actor?: string; action?: string; target?: string; limit?: string; cursor?: string };
      const tenant = ctx.tenant(flags.tenant);
      const q: AuditListQuery = { limit: limitOf(flags.limit), cursor: flags.cursor, actor: flags.actor, action: flags.action, target: flags.target };
      const page = await ctx.withAdmin((admin) => admin.audit.list(tenant, q));
      ctx.io.result(page, () => (page.items.length ? eventTable(page) + morePages(`authflow audit list --tenant ${tenant}${filterFlags(q)}`, page, `"authflow audit export --tenant ${tenant}" for every event`) : `No audit events in tenant ${tenant}${q.actor || q.action || q.target ? ' match' : ''}.`));
    }));

  audit
    .command('tail')
    .description('print the latest events, oldest first; with --follow, keep printing new ones as they are appended (Ctrl-C stops)')
    .option('--tenant <tenant>', TENANT_HELP)
    .option('-n, --lines <n>', 'how many of the latest events to print first (default 10)')
    .option('-f, --follow', 'keep polling for new events')
    .option('--interval <seconds>', 'seconds between polls with --follow (default 2)')
    .addHelpText('after', examples('authflow audit tail --tenant acme', 'authflow audit tail --tenant acme --follow --json | jq -c "{seq,action,target}"'))
    .action(actionOf(run, async (ctx, rawFlags) => {
      const flags = rawFlags as { tenant?: string; lines?: string; follow?: boolean; interval?: string };
      const tenant = ctx.tenant(flags.tenant);
      const lines = flags.lines === undefined ? 10 : limitOf(flags.lines, '--lines')!;
      const intervalMs = flags.interval === undefined ? 2000 : Number(flags.interval) * 1000;
      if (!(intervalMs >= 100 && intervalMs <= 3_600_000)) throw new UsageError(`--interval must be a number of seconds from 0.1 to 3600, not "${flags.interval}"`);
      const print = (e: AuditEventView) => ctx.io.stdout.write(ctx.io.json ? `${JSON.stringify(e)}\n` : `${eventLine(e)}\n`);
      await ctx.withAdmin(async (admin) => {
        const latest = await admin.audit.list(tenant, { limit: lines });
        let last = latest.items[0]?.seq ?? 0;
        for (const e of [...latest.items].reverse()) print(e);
        if (!flags.follow) return;
        const stop = stopSignal();
        try {
          while (!stop.stopped) {
            await stop.sleep(intervalMs);
            if (stop.stopped) break;
            last = await forEachAfter(admin, tenant, last, async (e) => void print(e));
          }
        } finally {
          stop.dispose();
        }
      });
    }));

  audit
    .command('verify')
    .description('recompute the whole chain: exit 0 when intact, 1 with the seq where it breaks (an edited, deleted or reordered event)')
    .option('--tenant <tenant>', TENANT_HELP)
    .addHelpText('after', examples('authflow audit verify --tenant acme', 'authflow audit verify --tenant acme --json | jq .head'))
    .action(actionOf(run, async (ctx, rawFlags) => {
      const tenant = ctx.tenant((rawFlags as { tenant?: string }).tenant);
      const report = await ctx.withAdmin((admin) => admin.audit.verify(tenant));
      if (report.intact) {
        ctx.io.result(report, `chain intact: ${report.events} events, head ${report.head}`);
        return EXIT.ok;
      }
      if (ctx.io.json) ctx.io.result(report, '');
      else ctx.io.stderr.write(`audit chain broken at seq ${report.broken_at}: ${report.reason}\n`);
      return EXIT.failure;
    }));

  audit
    .command('export')
    .description('write every event of the tenant, oldest first, one JSON document per line (streamed page by page)')
    .option('--tenant <tenant>', TENANT_HELP)
    .option('--format <format>', 'jsonl (the only format)', 'jsonl')
    .addHelpText('after', examples('authflow audit export --tenant acme > acme-audit.jsonl', 'authflow audit export --tenant acme | jq -c "select(.action==\\"user.deleted\\")"'))
    .action(actionOf(run, async (ctx, rawFlags) => {
      const flags = rawFlags as { tenant?: string; format: string };
      const tenant = ctx.tenant(flags.tenant);
      if (flags.format !== 'jsonl') throw new UsageError(`--format must be jsonl, not "${flags.format}"`);
      await ctx.withAdmin((admin) => forEachAfter(admin, tenant, 0, (e) => write(ctx.io.stdout, `${JSON.stringify(e)}\n`)));
    }));
}

/** Calls `fn` for every event after `seq`, in order, a page at a time; returns the last seq seen. */
async function forEachAfter(admin: AdminClient, tenant: string, seq: number, fn: (e: AuditEventView) => Promise<void>): Promise<number> {
  let after = seq;
  for (;;) {
    const page = await admin.audit.list(tenant, { after, limit: BATCH });
    for (const e of page.items) {
      await fn(e);
      after = e.seq;
    }
    if (page.items.length < BATCH) return after;
  }
}

/** Writes with backpressure: a large export never piles up in memory when stdout is slow. */
function write(out: NodeJS.WritableStream, chunk: string): Promise<void> {
  return out.write(chunk) ? Promise.resolve() : new Promise((resolve) => out.once('drain', () => resolve()));
}

/** SIGINT/SIGTERM end `--follow` cleanly (exit 0) instead of killing the process mid-write. */
function stopSignal() {
  let wake: (() => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const state = {
    stopped: false,
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, ms);
      }),
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
  const onSignal = () => {
    state.stopped = true;
    if (timer) clearTimeout(timer);
    wake?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return state;
}

export function limitOf(raw: string | undefined, flag = '--limit'): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > 200) throw new UsageError(`${flag} must be a number from 1 to 200, not "${raw}"`);
  return Number(raw);
}

function eventLine(e: AuditEventView): string {
  const data = Object.keys(e.data).length ? ` ${JSON.stringify(e.data)}` : '';
  return `${e.at}  #${e.seq}  ${e.actor}  ${e.action}  ${text(e.target)}${data}`;
}

function eventTable(page: Page<AuditEventView>): string {
  return table([['SEQ', 'AT', 'ACTOR', 'ACTION', 'TARGET', 'DATA'], ...page.items.map((e) => [String(e.seq), e.at, e.actor, e.action, text(e.target), Object.keys(e.data).length ? JSON.stringify(e.data) : '-'])]);
}
