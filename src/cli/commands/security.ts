import type { Command } from 'commander';
import type { SecurityEventListQuery } from '../../core/admin/index.ts';
import { SECURITY_EVENT_KINDS } from '../../core/security/security-event.ts';
import { actionOf, type RunEnv } from '../context.ts';
import { table, text } from '../io.ts';
import { examples, morePages } from '../options.ts';
import { limitOf } from './audit.ts';

const TENANT_HELP = 'tenant slug or id (default: AUTHFLOW_TENANT)';

/** `authflow security events`: what users and admins should know about (docs/security-events.md). */
export function registerSecurity(program: Command, run: RunEnv): void {
  const security = program
    .command('security')
    .description("a tenant's security events: lockouts, new devices, refresh-token reuse, password and email changes, API keys used from new addresses")
    .addHelpText('after', examples('authflow security events --tenant acme --since 24h', 'authflow security events --tenant acme --user ada@example.com --kind lockout --json'));

  security
    .command('events')
    .description('list security events, newest first')
    .option('--tenant <tenant>', TENANT_HELP)
    .option('--user <user>', 'only events about this user (id or email address)')
    .option('--kind <kind>', `only events of this kind: ${SECURITY_EVENT_KINDS.join(', ')}`)
    .option('--since <when>', 'only events since this time: ISO 8601 (2030-01-31T12:00:00Z) or a duration back from now (30m, 24h, 7d)')
    .option('--limit <n>', 'how many events per page (1–200, default 50)')
    .option('--cursor <cursor>', 'continue after the page that printed this cursor')
    .addHelpText('after', examples('authflow security events --tenant acme --kind refresh_reuse --since 7d', 'authflow security events --tenant acme --json | jq -r ".items[] | [.at, .kind, .ip] | @tsv"'))
    .action(actionOf(run, async (ctx, rawFlags) => {
      const flags = rawFlags as { tenant?: string; user?: string; kind?: string; since?: string; limit?: string; cursor?: string };
      const tenant = ctx.tenant(flags.tenant);
      const q: SecurityEventListQuery = { limit: limitOf(flags.limit), cursor: flags.cursor, user: flags.user, kind: flags.kind, since: flags.since };
      const page = await ctx.withAdmin((admin) => admin.security.events(tenant, q));
      ctx.io.result(page, () =>
        page.items.length
          ? table([['AT', 'KIND', 'USER', 'IP', 'DATA'], ...page.items.map((e) => [e.at, e.kind, text(e.user_id), text(e.ip), Object.keys(e.data).length ? JSON.stringify(e.data) : '-'])]) +
            morePages(`authflow security events --tenant ${tenant}`, page)
          : `No security events in tenant ${tenant}${q.user || q.kind || q.since ? ' match' : ''}.`,
      );
    }));
}
