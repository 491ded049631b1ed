import type { Command } from 'commander';
import type { AccessRevocationView, SessionListView } from '../../core/admin/index.ts';
import { actionOf, type RunEnv } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { table, text } from '../io.ts';
import { examples } from '../options.ts';
import { secretFromPrompt, secretFromStdin } from '../secret-input.ts';

const TENANT_HELP = 'tenant slug or id (default: AUTHFLOW_TENANT)';
const USER_HELP = 'user id or email address';

/** `authflow user disable|enable|unlock|delete|set-password|sessions|revoke-sessions|export-data`. */
export function registerUserLifecycle(user: Command, run: RunEnv): void {
  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    user
      .command(name)
      .description(disabled ? 'disable a user: they are signed out everywhere, their tokens are refused and they cannot sign in' : 'enable a disabled user')
      .option('--tenant <tenant>', TENANT_HELP)
      .argument('<user>', USER_HELP)
      .addHelpText('after', examples(`authflow user ${name} --tenant acme ada@example.com`))
      .action(actionOf(run, async (ctx, ref, rawFlags) => {
        const tenant = ctx.tenant((rawFlags as { tenant?: string }).tenant);
        const view = await ctx.withAdmin((admin) => (disabled ? admin.users.disable(tenant, ref as string) : admin.users.enable(tenant, ref as string)));
        ctx.io.result(view, () => (disabled ? `Disabled ${view.email}: signed out everywhere; sign-in and tokens are refused.` : `Enabled ${view.email}.`));
      }));
  }

  user
    .command('unlock')
    .description('clear the lockout of a user: passwords are accepted again at once from every address')
    .option('--tenant <tenant>', TENANT_HELP)
    .argument('<user>', USER_HELP)
    .addHelpText('after', examples('authflow user unlock --tenant acme ada@example.com'))
    .action(actionOf(run, async (ctx, ref, rawFlags) => {
      const tenant = ctx.tenant((rawFlags as { tenant?: string }).tenant);
      const result = await ctx.withAdmin((admin) => admin.security.unlock(tenant, ref as string));
      ctx.io.result(result, () => (result.counters_cleared ? `Unlocked user ${result.user_id} (${result.counters_cleared} lockout counters cleared).` : `User ${result.user_id} was not locked out.`));
    }));

  user
    .command('delete')
    .description('erase a user and everything held about them (GDPR): sessions, tokens, consents, credentials, devices, mail (asks first unless --yes)')
    .option('--tenant <tenant>', TENANT_HELP)
    .argument('<user>', USER_HELP)
    .addHelpText('after', examples('authflow user export-data --tenant acme ada@example.com > ada.json   # first, if they asked for a copy', 'authflow --yes user delete --tenant acme ada@example.com'))
    .action(actionOf(run, async (ctx, ref, rawFlags) => {
      const tenant = ctx.tenant((rawFlags as { tenant?: string }).tenant);
      const result = await ctx.withAdmin(async (admin) => {
        // Unknown user: not found (exit 3) before any question.
        const view = await admin.users.show(tenant, ref as string);
        await ctx.confirm(`Delete ${view.email} and everything held about them? This cannot be undone.`, `delete user ${view.email}`);
        return admin.users.delete(tenant, view.id);
      });
      ctx.io.result(result, () => `Deleted user ${result.deleted}.`);
    }));

  user
    .command('set-password')
    .description("set a user's password, read from standard input or asked for on the terminal (never from the command line); signs them out everywhere unless --keep-sessions")
    .option('--tenant <tenant>', TENANT_HELP)
    .argument('<user>', USER_HELP)
    .option('--password-stdin', 'read the password from standard input (up to EOF; a final newline is dropped)')
    .option('--password-prompt', 'ask for the password on the terminal, without echo')
    .option('--keep-sessions', "keep the user's sessions and refresh tokens (default: the tenant's password_reset.revoke_sessions, normally revoke)")
    .addHelpText('after', examples('printf %s "$PASSWORD" | authflow user set-password --tenant acme ada@example.com --password-stdin', 'authflow user set-password --tenant acme ada@example.com --password-prompt --keep-sessions'))
    .action(actionOf(run, async (ctx, ref, rawFlags) => {
      const flags = rawFlags as { tenant?: string; passwordStdin?: boolean; passwordPrompt?: boolean; keepSessions?: boolean };
      const tenant = ctx.tenant(flags.tenant);
      if (flags.passwordStdin === flags.passwordPrompt) throw new UsageError('pass --password-stdin or --password-prompt (exactly one)');
      const password = flags.passwordStdin ? await secretFromStdin(run.streams, 'password') : await secretFromPrompt(ctx, run.streams, 'password');
      const result = await ctx.withAdmin((admin) => admin.users.setPassword(tenant, ref as string, { password, ...(flags.keepSessions ? { revoke_sessions: false } : {}) }));
      ctx.io.result(result, () => `Set the password of user ${result.user_id}.${revokedText(result)}`);
    }));

  user
    .command('sessions')
    .description("list a user's live sessions")
    .option('--tenant <tenant>', TENANT_HELP)
    .argument('<user>', USER_HELP)
    .addHelpText('after', examples('authflow user sessions --tenant acme ada@example.com'))
    .action(actionOf(run, async (ctx, ref, rawFlags) => {
      const tenant = ctx.tenant((rawFlags as { tenant?: string }).tenant);
      const list = await ctx.withAdmin((admin) => admin.users.sessions(tenant, ref as string));
      ctx.io.result(list, () => sessionTable(list));
    }));

  user
    .command('revoke-sessions')
    .description('sign a user out everywhere (sessions end, refresh tokens are revoked, access tokens refused), or end one session with --session')
    .option('--tenant <tenant>', TENANT_HELP)
    .option('--session <id>', 'end only this session (an id from "user sessions")')
    .argument('<user>', USER_HELP)
    .addHelpText('after', examples('authflow user revoke-sessions --tenant acme ada@example.com', 'authflow user revoke-sessions --tenant acme ada@example.com --session 01890a5d-ac96-774b-b9aa-1b2c3d4e5f60'))
    .action(actionOf(run, async (ctx, ref, rawFlags) => {
      const flags = rawFlags as { tenant?: string; session?: string };
      const tenant = ctx.tenant(flags.tenant);
      const result = await ctx.withAdmin((admin) => admin.users.revokeSessions(tenant, ref as string, flags.session));
      ctx.io.result(result, () => `${flags.session !== undefined ? `Ended session ${flags.session}` : `Signed user ${result.user_id} out everywhere`}.${revokedText(result)}`);
    }));

  user
    .command('export-data')
    .description('print everything held about a user as one JSON document (GDPR access and portability); never secrets or hashes')
    .option('--tenant <tenant>', TENANT_HELP)
    .argument('<user>', USER_HELP)
    .addHelpText('after', examples('authflow user export-data --tenant acme ada@example.com > ada.json'))
    .action(actionOf(run, async (ctx, ref, rawFlags) => {
      const tenant = ctx.tenant((rawFlags as { tenant?: string }).tenant);
      const data = await ctx.withAdmin((admin) => admin.users.exportData(tenant, ref as string));
      // The export is a JSON document either way.
      ctx.io.result(data, () => JSON.stringify(data, null, 2));
    }));
}

function revokedText(r: AccessRevocationView): string {
  return r.sessions_ended || r.refresh_families_revoked ? ` Ended ${r.sessions_ended} session(s) and revoked ${r.refresh_families_revoked} refresh token(s).` : '';
}

function sessionTable(list: SessionListView): string {
  if (!list.items.length) return `User ${list.user_id} has no live session.`;
  return table([
    ['ID', 'CREATED', 'LAST SEEN', 'EXPIRES', 'AMR', 'IP', 'USER AGENT'],
    ...list.items.map((s) => [s.id, s.created_at, s.last_seen_at, s.expires_at, text(s.amr), text(s.ip), text(s.user_agent)]),
  ]);
}
