import type { Command } from 'commander';
import type { UserView } from '../../core/admin/index.ts';
import { actionOf, type RunEnv } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { fields, table, text } from '../io.ts';
import { examples, listPages, morePages, pageOptions, repeatable, type PageFlags } from '../options.ts';
import { secretFromPrompt, secretFromStdin } from '../secret-input.ts';
import { registerUserConsents } from './user-consents.ts';
import { registerUserLifecycle } from './user-lifecycle.ts';
import { registerUserTransfer } from './user-transfer.ts';

const TENANT_HELP = 'tenant slug or id (default: AUTHFLOW_TENANT)';

interface ProfileFlags {
  tenant?: string;
  email?: string;
  name?: string;
  givenName?: string;
  familyName?: string;
  phone?: string;
  locale?: string;
  picture?: string;
  attributes?: string;
  externalId?: string;
  emailVerified?: boolean;
}

interface CreateFlags extends ProfileFlags {
  passwordStdin?: boolean;
  passwordPrompt?: boolean;
}

/** Profile fields that can be cleared with `user update --clear FIELD`. */
const CLEARABLE = ['name', 'given_name', 'family_name', 'phone', 'locale', 'picture', 'attributes', 'external_id'] as const;

/** The profile flags shared by create and update. */
function profileOptions(cmd: Command): Command {
  return cmd
    .option('--name <name>', 'full name')
    .option('--given-name <name>', 'given (first) name')
    .option('--family-name <name>', 'family (last) name')
    .option('--phone <e164>', 'phone number in E.164 form, e.g. +14155550123')
    .option('--locale <tag>', 'BCP 47 language tag, e.g. en-US')
    .option('--picture <url>', 'https URL of a picture')
    .option('--attributes <json>', 'custom attributes, a JSON object (at most 16 KiB, 5 levels, 100 keys)')
    .option('--external-id <id>', "the user's id in your own application (unique in the tenant)");
}

/** The profile flags as an API body (only those given). */
function profileBody(flags: ProfileFlags): Record<string, unknown> {
  let attributes: unknown;
  if (flags.attributes !== undefined) {
    try {
      attributes = JSON.parse(flags.attributes);
    } catch {
      throw new UsageError(`--attributes must be a JSON object such as '{"plan":"pro"}', not ${JSON.stringify(flags.attributes.slice(0, 40))}`);
    }
  }
  const pairs: [string, unknown][] = [
    ['email', flags.email],
    ['email_verified', flags.emailVerified],
    ['name', flags.name],
    ['given_name', flags.givenName],
    ['family_name', flags.familyName],
    ['phone', flags.phone],
    ['locale', flags.locale],
    ['picture', flags.picture],
    ['attributes', attributes],
    ['external_id', flags.externalId],
  ];
  return Object.fromEntries(pairs.filter(([, v]) => v !== undefined));
}

export function registerUser(program: Command, run: RunEnv): void {
  const user = program
    .command('user')
    .description("end users of a tenant: who signs in on the tenant's hosted pages")
    .addHelpText('after', examples(
      'printf %s "$PASSWORD" | authflow user create --tenant acme --email ada@example.com --name "Ada Lovelace" --password-stdin',
      'authflow user list --tenant acme --search lovelace',
      'authflow user show --tenant acme ada@example.com --json',
      'authflow user update --tenant acme ada@example.com --locale en-GB --attributes \'{"plan":"pro"}\'',
      'authflow user disable --tenant acme ada@example.com',
      'printf %s "$PASSWORD" | authflow user set-password --tenant acme ada@example.com --password-stdin',
      'authflow user sessions --tenant acme ada@example.com',
      'authflow user export-data --tenant acme ada@example.com > ada.json',
      'authflow --yes user delete --tenant acme ada@example.com',
    ));

  profileOptions(
    user
      .command('create')
      .description('create a user; the password is read from standard input or asked for on the terminal, never taken from the command line')
      .option('--tenant <tenant>', TENANT_HELP)
      .requiredOption('--email <email>', 'email address (stored trimmed and lower-cased; unique in the tenant)')
      .option('--email-verified', 'mark the email address as verified'),
  )
    .option('--password-stdin', 'read the password from standard input (up to EOF; a final newline is dropped)')
    .option('--password-prompt', 'ask for the password on the terminal, without echo')
    .addHelpText('after', examples(
      'authflow user create --tenant acme --email ada@example.com --password-prompt',
      'authflow user create --tenant acme --email bob@example.com --email-verified --external-id crm-42 --password-stdin < password.txt',
      'authflow user create --tenant acme --email carol@example.com   # no password (another sign-in method later)',
    ))
    .action(actionOf(run, async (ctx, rawFlags) => {
      const flags = rawFlags as CreateFlags;
      const tenant = ctx.tenant(flags.tenant);
      if (flags.passwordStdin && flags.passwordPrompt) throw new UsageError('pass --password-stdin or --password-prompt, not both');
      const body = profileBody({ ...flags, emailVerified: flags.emailVerified ? true : undefined });
      const password = flags.passwordStdin
        ? await secretFromStdin(run.streams, 'password')
        : flags.passwordPrompt
          ? await secretFromPrompt(ctx, run.streams, 'password')
          : undefined;
      const view = await ctx.withAdmin((admin) => admin.users.create(tenant, { ...body, ...(password !== undefined ? { password } : {}) }));
      ctx.io.result(view, () => `Created user ${view.email}${password !== undefined ? ' with a password' : ' (no password)'}.\n${userBlock(view)}`);
    }));

  pageOptions(user.command('list').description("list a tenant's users, oldest first").option('--tenant <tenant>', TENANT_HELP), 'users')
    .option('--search <text>', 'only users whose email, name or external id contains this (case-insensitive)')
    .addHelpText('after', examples('authflow user list --tenant acme', 'authflow user list --tenant acme --search @example.org', 'authflow user list --tenant acme --all --json | jq -r ".items[].email"'))
    .action(actionOf(run, async (ctx, rawFlags) => {
      const flags = rawFlags as PageFlags & { tenant?: string; search?: string };
      const tenant = ctx.tenant(flags.tenant);
      const page = await ctx.withAdmin((admin) => listPages(flags, (q) => admin.users.list(tenant, { ...q, search: flags.search })));
      const more = `authflow user list --tenant ${tenant}${flags.search !== undefined ? ` --search ${JSON.stringify(flags.search)}` : ''}`;
      ctx.io.result(page, () =>
        page.items.length
          ? table([['ID', 'EMAIL', 'NAME', 'VERIFIED', 'DISABLED', 'LAST LOGIN'], ...page.items.map((u) => [u.id, u.email, text(u.name), text(u.email_verified), text(u.disabled), text(u.last_login_at)])]) +
            morePages(more, page)
          : 'No users.',
      );
    }));

  user
    .command('show')
    .description('show a user by id or email')
    .option('--tenant <tenant>', TENANT_HELP)
    .argument('<user>', 'user id or email address')
    .addHelpText('after', examples('authflow user show --tenant acme ada@example.com'))
    .action(actionOf(run, async (ctx, ref, rawFlags) => {
      const flags = rawFlags as { tenant?: string };
      const tenant = ctx.tenant(flags.tenant);
      const view = await ctx.withAdmin((admin) => admin.users.show(tenant, ref as string));
      ctx.io.result(view, () => userBlock(view));
    }));

  profileOptions(
    user
      .command('update')
      .description("change a user's profile: the flags given replace the stored values; --attributes merges (RFC 7396: a null member removes it)")
      .option('--tenant <tenant>', TENANT_HELP)
      .argument('<user>', 'user id or email address')
      .option('--email <email>', 'a new email address (unverified unless --email-verified is given too)')
      .option('--email-verified', 'mark the email address as verified')
      .option('--no-email-verified', 'mark the email address as not verified'),
  )
    .option('--clear <field>', `clear a field (${CLEARABLE.join(', ')}); repeatable`, repeatable)
    .addHelpText('after', examples(
      'authflow user update --tenant acme ada@example.com --email ada@lovelace.example --email-verified',
      'authflow user update --tenant acme ada@example.com --attributes \'{"plan":"pro","trial":null}\'',
      'authflow user update --tenant acme ada@example.com --clear phone --clear picture',
    ))
    .action(actionOf(run, async (ctx, ref, rawFlags) => {
      const flags = rawFlags as ProfileFlags & { clear?: string[] };
      const tenant = ctx.tenant(flags.tenant);
      const body = profileBody(flags);
      for (const field of flags.clear ?? []) {
        const name = field.replace(/-/g, '_');
        if (!(CLEARABLE as readonly string[]).includes(name)) throw new UsageError(`--clear takes one of ${CLEARABLE.join(', ')}, not "${field}"`);
        if (body[name] !== undefined) throw new UsageError(`--clear ${field} and a new value for it: pass one`);
        body[name] = null;
      }
      if (!Object.keys(body).length) throw new UsageError('nothing to change: pass at least one field flag (see --help)');
      const view = await ctx.withAdmin((admin) => admin.users.update(tenant, ref as string, body));
      ctx.io.result(view, () => `Updated user ${view.email}.\n${userBlock(view)}`);
    }));

  registerUserLifecycle(user, run);
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
    ['phone', u.phone],
    ['phone_verified', u.phone_verified],
    ['locale', u.locale],
    ['picture', u.picture],
    ['external_id', u.external_id],
    ['attributes', Object.keys(u.attributes).length ? u.attributes : null],
    ['disabled', u.disabled],
    ['created_at', u.created_at],
    ['updated_at', u.updated_at],
    ['last_login_at', u.last_login_at],
  ]);
}
