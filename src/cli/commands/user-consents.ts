import type { Command } from 'commander';
import type { ConsentListView, ConsentRevocationView } from '../../core/admin/index.ts';
import { NotFound } from '../../core/errors.ts';
import type { AdminClient } from '../admin-client.ts';
import { actionOf, type CommandContext, type RunEnv } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { table, text } from '../io.ts';
import { examples } from '../options.ts';

const TENANT_HELP = 'tenant slug or id (default: AUTHFLOW_TENANT)';
const USER_HELP = 'user id or email address';

/** `authflow user consents` and `authflow user revoke-consent`: what a user consented to, and taking it back. */
export function registerUserConsents(user: Command, run: RunEnv): void {
  user
    .command('consents')
    .description('list the clients a user has consented to, with the scopes')
    .option('--tenant <tenant>', TENANT_HELP)
    .argument('<user>', USER_HELP)
    .addHelpText('after', examples('authflow user consents --tenant acme ada@example.com', 'authflow user consents --tenant acme ada@example.com --json | jq -r ".items[].client_id"'))
    .action(actionOf(run, async (ctx, ref, rawFlags) => {
      const tenant = ctx.tenant((rawFlags as { tenant?: string }).tenant);
      const list = await ctx.withAdmin((admin) => admin.consents.list(tenant, ref as string));
      ctx.io.result(list, () => consentTable(list));
    }));

  user
    .command('revoke-consent')
    .description("revoke a user's consent to a client, or --all: its tokens and pending codes stop working at once (asks first unless --yes)")
    .option('--tenant <tenant>', TENANT_HELP)
    .option('--all', 'revoke every consent of the user')
    .argument('<user>', USER_HELP)
    .argument('[client_id]', 'the client_id (one starting with "-" goes last, after "--")')
    .addHelpText('after', examples(
      'authflow user revoke-consent --tenant acme ada@example.com 3fJ9kQ2xLr8mWv1Z',
      'authflow --yes --json user revoke-consent --tenant acme ada@example.com --all',
    ))
    .action(actionOf(run, async (ctx, ref, clientId, rawFlags) => {
      const flags = rawFlags as { tenant?: string; all?: boolean };
      const tenant = ctx.tenant(flags.tenant);
      if (flags.all && clientId !== undefined) throw new UsageError('pass a client_id or --all, not both');
      if (!flags.all && clientId === undefined) throw new UsageError('pass the client_id whose consent to revoke, or --all for every client');
      const result = await ctx.withAdmin((admin) => (flags.all ? revokeAll(ctx, admin, tenant, ref as string) : revokeOne(ctx, admin, tenant, ref as string, clientId as string)));
      ctx.io.result(result, () => revocationText(result));
    }));
}

/** Shows what will be revoked and asks, then revokes. Unknown user or client: not found (exit 3) before any question. */
async function revokeOne(ctx: CommandContext, admin: AdminClient, tenant: string, ref: string, clientId: string): Promise<ConsentRevocationView> {
  const list = await admin.consents.list(tenant, ref);
  const consent = list.items.find((c) => c.client_id === clientId);
  if (!consent) throw await noConsent(admin, list, clientId);
  await ctx.confirm(
    `Revoke ${list.email}'s consent to ${clientLabel(consent)}? Its tokens stop working now and the app must ask for consent again.`,
    `revoke the consent of ${list.email} to ${clientId}`,
  );
  return admin.consents.revoke(tenant, list.user_id, clientId);
}

async function revokeAll(ctx: CommandContext, admin: AdminClient, tenant: string, ref: string): Promise<ConsentRevocationView> {
  const list = await admin.consents.list(tenant, ref);
  if (list.items.length === 0) return { tenant: list.tenant, user_id: list.user_id, email: list.email, revoked: [] };
  await ctx.confirm(
    `Revoke all ${list.items.length} consent(s) of ${list.email} (${list.items.map(clientLabel).join(', ')})? Their tokens stop working now.`,
    `revoke the consents of ${list.email}`,
  );
  return admin.consents.revokeAll(tenant, list.user_id);
}

/** Why there is nothing to revoke: the client is unknown in the tenant, or the user never consented to it. */
async function noConsent(admin: AdminClient, list: ConsentListView, clientId: string): Promise<NotFound> {
  try {
    const client = await admin.clients.show(list.tenant, clientId);
    return new NotFound(`${list.email} has not consented to client "${client.name}" (${clientId})`);
  } catch (e) {
    if (e instanceof NotFound) return e;
    // e.g. an API key without clients:read: say what is known.
    return new NotFound(`${list.email} has not consented to a client "${clientId}" in tenant ${list.tenant}`);
  }
}

const clientLabel = (c: { client_id: string; client_name: string | null }) => (c.client_name ? `"${c.client_name}" (${c.client_id})` : c.client_id);

function consentTable(list: ConsentListView): string {
  if (!list.items.length) return `${list.email} has not consented to any client in tenant ${list.tenant}.`;
  return (
    `Consents of ${list.email} in tenant ${list.tenant}:\n` +
    table([['CLIENT_ID', 'CLIENT', 'SCOPES', 'GRANTED', 'UPDATED'], ...list.items.map((c) => [c.client_id, text(c.client_name), c.scopes.join(' '), c.created_at, c.updated_at])])
  );
}

function revocationText(r: ConsentRevocationView): string {
  if (!r.revoked.length) return `${r.email} has no consents to revoke in tenant ${r.tenant}.`;
  const lines = r.revoked.map((c) => `Revoked ${r.email}'s consent to ${clientLabel(c)}: ${c.refresh_tokens_revoked} refresh token(s) revoked; its access tokens and pending codes no longer work.`);
  return lines.join('\n');
}
