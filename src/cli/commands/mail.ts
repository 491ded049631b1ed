import { Option, type Command } from 'commander';
import type { MailSummaryView, MailView } from '../../core/admin/index.ts';
import { actionOf, type RunEnv } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { fields, table, text } from '../io.ts';
import { examples, listPages, morePages, type PageFlags } from '../options.ts';

const STATUSES = ['pending', 'sent', 'failed'] as const;

/**
 * `authflow mail list|show`: the mail outbox. Without SMTP it is the delivery
 * itself: an operator reads the link in a message and hands it over.
 */
export function registerMail(program: Command, run: RunEnv): void {
  const mail = program
    .command('mail')
    .description('the mail outbox: what authflow sent, or keeps for you to read when no SMTP server is configured')
    .addHelpText('after', examples('authflow mail list --status pending', 'authflow mail show 0190c0de-7c4f-7d2a-9e0b-3f1a2b3c4d5e'));

  mail
    .command('list')
    .description('list outbox messages, newest first (no bodies)')
    .option('--tenant <tenant>', 'only the mail of this tenant (slug or id); default: every tenant the admin may see')
    .option('--status <status>', 'only pending, sent or failed mail')
    .option('--to <address>', 'only mail to this address')
    .option('--limit <n>', 'how many messages per page (1–200, default 50)')
    .option('--cursor <cursor>', 'continue after the page that printed this cursor')
    .addOption(new Option('--all', 'every message, fetching page after page').conflicts('cursor'))
    .addHelpText('after', examples('authflow mail list --to ada@example.com', 'authflow mail list --tenant acme --status failed --json | jq -r ".items[] | [.id, .last_error] | @tsv"'))
    .action(actionOf(run, async (ctx, rawFlags) => {
      const flags = rawFlags as PageFlags & { tenant?: string; status?: string; to?: string };
      if (flags.status !== undefined && !(STATUSES as readonly string[]).includes(flags.status)) throw new UsageError(`--status must be pending, sent or failed, not "${flags.status}"`);
      const status = flags.status as (typeof STATUSES)[number] | undefined;
      const page = await ctx.withAdmin((admin) => listPages({ limit: flags.limit, cursor: flags.cursor, all: flags.all }, (q) => admin.mail.list({ ...q, tenant: flags.tenant, status, to: flags.to })));
      const filtered = flags.tenant || status || flags.to;
      ctx.io.result(page, () => (page.items.length ? mailTable(page.items) + morePages(`authflow mail list${flagLine(flags)}`, page) : filtered ? 'No mail matches.' : 'The outbox is empty.'));
    }));

  mail
    .command('show')
    .description('print one message: its headers, state and text body (with any link in it)')
    .argument('<id>', 'the message id (from "authflow mail list")')
    .addHelpText('after', examples('authflow mail show 0190c0de-7c4f-7d2a-9e0b-3f1a2b3c4d5e', 'authflow mail show 0190c0de-… --json | jq -r .text'))
    .action(actionOf(run, async (ctx, id) => {
      const message = await ctx.withAdmin((admin) => admin.mail.show(id as string));
      ctx.io.result(message, () => mailText(message));
    }));
}

function flagLine(flags: { tenant?: string; status?: string; to?: string }): string {
  return (flags.tenant ? ` --tenant ${flags.tenant}` : '') + (flags.status ? ` --status ${flags.status}` : '') + (flags.to ? ` --to ${flags.to}` : '');
}

function mailTable(items: readonly MailSummaryView[]): string {
  return table([
    ['ID', 'CREATED', 'TENANT', 'TO', 'STATUS', 'ATTEMPTS', 'SUBJECT'],
    ...items.map((m) => [m.id, m.created_at, text(m.tenant), m.to, m.status, String(m.attempts), m.subject]),
  ]);
}

function mailText(m: MailView): string {
  const state = m.status === 'sent' ? `sent ${m.sent_at}` : m.status === 'pending' ? (m.attempts ? `pending, retry at ${m.next_attempt_at} (${m.attempts} attempt(s))` : 'pending (not sent: the outbox holds it)') : `failed after ${m.attempts} attempt(s)`;
  const head = fields([
    ['Id', m.id],
    ['Tenant', m.tenant],
    ['To', m.to],
    ['Subject', m.subject],
    ['Template', m.template],
    ['Created', m.created_at],
    ['Status', state],
    ...(m.last_error ? ([['Last error', m.last_error]] as const) : []),
  ]);
  return `${head}\n\n${m.text.replace(/\s+$/, '')}`;
}
