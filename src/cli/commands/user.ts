import type { Command } from 'commander';
import type { UserView } from '../../core/admin/index.ts';
import { actionOf, type RunEnv } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { fields, table, text } from '../io.ts';
import { examples, listPages, morePages, pageOptions, type PageFlags } from '../options.ts';
import { secretFromPrompt, secretFromStdin } from '../secret-input.ts';
import { registerUserConsents } from './user-consents.ts';
import { registerUserTransfer } from './user-transfer.ts';

interface UserFlags {
  tenant?: string;
  email: string;
  name?: string;
  givenName?: string;
  familyName?: string;
  emailVerified?: boolean;
  passwordStdin?: boolean;
  passwordPrompt?: boolean;
}

export function registerUser(program: Command, run: RunEnv): void {
  const user = program
    .command('user')
    .description("end users of a tenant: who signs in on the tenant's hosted pages")
    .addHelpText('after', examples(
      'printf %s "$PASSWORD" | authflow user create --tenant acme --email ada@example.com --name "Ada Lovelace" --password-stdin',
      'authflow user list --tenant acme',
      'authflow user show --tenant acme ada@example.com --json',
      'authflow user consents --tenant acme ada@example.com',
      'authflow user revoke-consent --tenant acme ada@example.com 3fJ9kQ2xLr8mWv1Z',
    ));

  user
    .command('create')
    .description('create a user; the password is read from standard input or asked for on the terminal, never taken from the command line')
    .option('--tenant <tenant>', 'tenant slug or id (default: AUTHFLOW_TENANT)')
    .requiredOption('--email <email>', 'email address (stored trimmed and lower-cased; unique in the tenant)')
    .option('--name <name>', 'full name')
    .option('--given-name <name>', 'given (first) name')
    .option('--family-name <name>', 'family (last) name')
    .option('--email-verified', 'mark the email address as verified')
    .option('--password-stdin', 'read the password from standard input (up to EOF; a final newline is dropped)')
    .option('--password-prompt', 'ask for the password on the terminal, without echo')
    .addHelpText('after', examples(
      'authflow user create --tenant acme --email ada@example.com --password-prompt',
      'authflow user create --tenant acme --email bob@example.com --email-verified --password-stdin < password.txt',
      'authflow user create --tenant acme --email carol@example.com   # no password (another sign-in method later)',
    ))
    .action(actionOf(run, async (ctx, rawFlags) => {
      const flags = rawFlags as UserFlags;
      const tenant = ctx.tenant(flags.tenant);
      if (flags.passwordStdin && flags.passwordPrompt) throw new UsageError('pass --password-stdin or --password-prompt, not both');
      const password = flags.passwordStdin
        ? await secretFromStdin(run.streams, 'password')
        : flags.passwordPrompt
          ? await secretFromPrompt(ctx, run.streams, 'password')
          : undefined;
      const body = {
        email: flags.email,
        ...(flags.name !== undefined ? { name: flags.name } : {}),
        ...(flags.givenName !== undefined ? { given_name: flags.givenName } : {}),
        ...(flags.familyName !== undefined ? { family_name: flags.familyName } : {}),
        ...(flags.emailVerified ? { email_verified: true } : {}),
        ...(password !== undefined ? { password } : {}),
      };
      const view = await ctx.withAdmin((admin) => admin.users.create(tenant, body));
      ctx.io.result(view, () => `Created user ${view.email}${password !== undefined ? ' with a password' : ' (no password)'}.\n${userBlock(view)}`);
    }));

  pageOptions(user.command('list').description("list a tenant's users").option('--tenant <tenant>', 'tenant slug or id (default: AUTHFLOW_TENANT)'), 'users')
    .addHelpText('after', examples('authflow user list --tenant acme', 'authflow user list --tenant acme --all --json | jq -r ".items[].email"'))
    .action(actionOf(run, async (ctx, rawFlags) => {
      const flags = rawFlags as PageFlags & { tenant?: string };
      const tenant = ctx.tenant(flags.tenant);
      const page = await ctx.withAdmin((admin) => listPages(flags, (q) => admin.users.list(tenant, q)));
      ctx.io.result(page, () =>
        page.items.length
          ? table([['ID', 'EMAIL', 'NAME', 'VERIFIED', 'LAST LOGIN'], ...page.items.map((u) => [u.id, u.email, text(u.name), text(u.email_verified), text(u.last_login_at)])]) +
            morePages(`authflow user list --tenant ${tenant}`, page)
          : 'No users.',
      );
    }));

  user
    .command('show')
    .description('show a user by id or email')
    .option('--tenant <tenant>', 'tenant slug or id (default: AUTHFLOW_TENANT)')
    .argument('<user>', 'user id or email address')
    .addHelpText('after', examples('authflow user show --tenant acme ada@example.com'))
    .action(actionOf(run, async (ctx, ref, rawFlags) => {
      const flags = rawFlags as { tenant?: string };
      const tenant = ctx.tenant(flags.tenant);
      const view = await ctx.withAdmin((admin) => admin.users.show(tenant, ref as string));
      ctx.io.result(view, () => userBlock(view));
    }));

  registerUserConsents(user, run);
  registerUserTransfer(user, run);
}

function userBlock(u: UserView): string {
  return fields([
    ['id', u.id],
    ['tenant', u.tenant],
    ['email', u.email],
    ['email_verified', u.email_verified],
    ['name', u.name],
    ['given_name', u.given_name],
    ['family_name', u.family_name],
    ['disabled', u.disabled],
    ['created_at', u.created_at],
    ['last_login_at', u.last_login_at],
  ]);
}
