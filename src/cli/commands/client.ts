import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ClientView } from '../../core/admin/index.ts';
import { ValidationFailed } from '../../core/errors.ts';
import { actionOf, type CommandContext, type RunEnv } from '../context.ts';
import { promptStreams } from '../io.ts';
import { UsageError } from '../exit-codes.ts';
import { fields, table, text } from '../io.ts';
import { examples, listPages, morePages, pageOptions, repeatable, seconds, type PageFlags } from '../options.ts';

interface ClientFlags {
  tenant?: string;
  name?: string;
  type?: string;
  redirectUri?: string[] | false;
  postLogoutRedirectUri?: string[] | false;
  grant?: string[];
  scope?: string[];
  audience?: string[] | false;
  authMethod?: string;
  jwksFile?: string;
  jwks?: boolean;
  jwksUri?: string | false;
  idTokenAlg?: string;
  accessTokenTtl?: string | false;
  refreshTokenTtl?: string | false;
  firstParty?: boolean;
  corsOrigin?: string[] | false;
  grace?: string;
}

const TENANT_HELP = 'tenant slug or id (default: AUTHFLOW_TENANT)';
const ID_HELP = 'the client_id (one starting with "-" goes last, after "--")';

export function registerClient(program: Command, run: RunEnv): void {
  const client = program
    .command('client')
    .description("OAuth/OIDC clients (relying parties) of a tenant")
    .addHelpText('after', examples(
      'authflow client create --tenant acme --name web --redirect-uri https://app.acme.com/callback',
      'authflow client create --tenant acme --name billing --grant client_credentials --scope orders:read --json',
      'authflow client list --tenant acme',
    ));

  clientFieldOptions(client.command('create').description('register a client; a secret-based client gets its client_secret printed once'), 'create')
    .addHelpText('after', examples(
      '# a web app (confidential, authorization code + refresh tokens)',
      'authflow client create --tenant acme --name web --redirect-uri https://app.acme.com/callback',
      '# a single-page or mobile app (public, PKCE)',
      'authflow client create --tenant acme --name spa --type public --redirect-uri https://app.acme.com/cb --cors-origin https://app.acme.com',
      '# a machine client (client_credentials), keeping the secret from the JSON output',
      'authflow client create --tenant acme --name billing --grant client_credentials --scope orders:read --json | jq -r .client_secret',
    ))
    .action(actionOf(run, async (ctx, rawFlags) => {
      const flags = rawFlags as ClientFlags;
      const tenant = ctx.tenant(flags.tenant);
      const body = { ...clientBody(flags), ...(await askKind(ctx, flags)) };
      const result = await ctx.withAdmin((admin) => admin.clients.create(tenant, body));
      ctx.io.result(result, () => [`Created client "${result.name}" in tenant ${result.tenant}.`, clientBlock(result), secretLines(result.client_secret)].filter(Boolean).join('\n'));
    }));

  pageOptions(client.command('list').description("list a tenant's clients").option('--tenant <tenant>', TENANT_HELP), 'clients')
    .addHelpText('after', examples('authflow client list --tenant acme', 'authflow client list --tenant acme --all --json | jq -r ".items[].client_id"'))
    .action(actionOf(run, async (ctx, rawFlags) => {
      const flags = rawFlags as PageFlags & { tenant?: string };
      const tenant = ctx.tenant(flags.tenant);
      const page = await ctx.withAdmin((admin) => listPages(flags, (q) => admin.clients.list(tenant, q)));
      ctx.io.result(page, () =>
        page.items.length
          ? table([['CLIENT_ID', 'NAME', 'TYPE', 'GRANT_TYPES', 'CREATED'], ...page.items.map((c) => [c.client_id, c.name, c.type, text(c.grant_types), text(c.created_at)])]) +
            morePages(`authflow client list --tenant ${tenant}`, page)
          : `No clients in tenant ${tenant}.`,
      );
    }));

  client
    .command('show')
    .description("show a client's registration (never its secret: authflow keeps only a hash)")
    .argument('<client_id>', ID_HELP)
    .option('--tenant <tenant>', TENANT_HELP)
    .addHelpText('after', examples('authflow client show --tenant acme 3fJ9kQ2xLr8mWv1Z'))
    .action(actionOf(run, async (ctx, clientId, rawFlags) => {
      const tenant = ctx.tenant((rawFlags as ClientFlags).tenant);
      const view = await ctx.withAdmin((admin) => admin.clients.show(tenant, clientId as string));
      ctx.io.result(view, () => clientBlock(view));
    }));

  clientFieldOptions(client.command('update').description('change a client; list flags replace the whole list; --no-… flags clear a field').argument('<client_id>', ID_HELP), 'update')
    .addHelpText('after', examples(
      'authflow client update --tenant acme 3fJ9kQ2xLr8mWv1Z --redirect-uri https://app.acme.com/cb --redirect-uri https://app.acme.com/cb2',
      'authflow client update --tenant acme 3fJ9kQ2xLr8mWv1Z --access-token-ttl 300 --no-cors-origin',
    ))
    .action(actionOf(run, async (ctx, clientId, rawFlags) => {
      const flags = rawFlags as ClientFlags;
      const tenant = ctx.tenant(flags.tenant);
      const body = clientBody(flags);
      if (Object.keys(body).length === 0) throw new UsageError('nothing to update: pass at least one flag such as --name or --redirect-uri (see "authflow client update --help")');
      const result = await ctx.withAdmin((admin) => admin.clients.update(tenant, clientId as string, body));
      ctx.io.result(result, () => [`Updated client "${result.name}" in tenant ${result.tenant}.`, clientBlock(result), secretLines(result.client_secret)].filter(Boolean).join('\n'));
    }));

  client
    .command('delete')
    .description('delete a client; its tokens stop working (asks first unless --yes)')
    .argument('<client_id>', ID_HELP)
    .option('--tenant <tenant>', TENANT_HELP)
    .addHelpText('after', examples('authflow --yes client delete --tenant acme 3fJ9kQ2xLr8mWv1Z'))
    .action(actionOf(run, async (ctx, clientId, rawFlags) => {
      const tenant = ctx.tenant((rawFlags as ClientFlags).tenant);
      const result = await ctx.withAdmin(async (admin) => {
        const view = await admin.clients.show(tenant, clientId as string);
        await ctx.confirm(`Delete client "${view.name}" (${view.client_id}) of tenant ${view.tenant}? Apps using it stop working.`, `delete client ${view.client_id}`);
        return admin.clients.delete(tenant, view.client_id);
      });
      ctx.io.result(result, `Deleted client ${result.deleted} from tenant ${tenant}.`);
    }));

  client
    .command('rotate-secret')
    .description('issue a new client secret (printed once); the old one keeps working for --grace seconds')
    .argument('<client_id>', ID_HELP)
    .option('--tenant <tenant>', TENANT_HELP)
    .option('--grace <seconds>', 'how long the previous secret keeps working (default 0: it stops now; at most 30 days)')
    .addHelpText('after', examples('authflow client rotate-secret --tenant acme 3fJ9kQ2xLr8mWv1Z --grace 86400 --json | jq -r .client_secret'))
    .action(actionOf(run, async (ctx, clientId, rawFlags) => {
      const flags = rawFlags as ClientFlags;
      const tenant = ctx.tenant(flags.tenant);
      const grace = seconds('--grace', flags.grace);
      const result = await ctx.withAdmin((admin) => admin.clients.rotateSecret(tenant, clientId as string, grace === undefined ? {} : { grace_period: grace }));
      const previous = result.previous_secret_expires_at;
      ctx.io.result(result, () =>
        [
          `New secret for client "${result.name}" (${result.client_id}) in tenant ${result.tenant}.`,
          secretLines(result.client_secret),
          previous ? `The previous secret keeps working until ${previous}.` : 'The previous secret no longer works.',
        ].join('\n'),
      );
    }));
}

/** The registration flags shared by create and update (update adds --no-… forms that clear a field). */
function clientFieldOptions(cmd: Command, mode: 'create' | 'update'): Command {
  cmd.option('--tenant <tenant>', TENANT_HELP);
  if (mode === 'create') cmd.requiredOption('--name <name>', 'display name, unique in the tenant');
  else cmd.option('--name <name>', 'display name, unique in the tenant');
  cmd
    .option('--type <type>', 'confidential (has a secret or key; the default) or public (SPA, mobile, CLI: PKCE, no secret)')
    .option('--redirect-uri <uri>', 'exact redirect URI (repeatable)', repeatable)
    .option('--post-logout-redirect-uri <uri>', 'where RP-initiated logout may return (repeatable)', repeatable)
    .option('--grant <grant>', 'authorization_code, refresh_token or client_credentials (repeatable)', repeatable)
    .option('--scope <scope>', "a scope the client may request: standard OIDC or defined in the tenant's settings (repeatable)", repeatable)
    .option('--audience <aud>', 'an audience its access tokens may carry (repeatable)', repeatable)
    .option('--auth-method <method>', 'token endpoint authentication: client_secret_basic, client_secret_post, private_key_jwt or none')
    .option('--jwks-file <file>', "the client's public keys (a JWK Set file) for private_key_jwt")
    .option('--jwks-uri <url>', "https URL of the client's JWK Set")
    .option('--id-token-alg <alg>', 'ID token signing algorithm: RS256 (default), ES256 or EdDSA')
    .option('--access-token-ttl <seconds>', "access token lifetime (default: the tenant's)")
    .option('--refresh-token-ttl <seconds>', "refresh token lifetime (default: the tenant's)")
    .option('--first-party', 'a first-party app: users are not asked for consent')
    .option('--cors-origin <origin>', 'a browser origin allowed to call the token endpoint (repeatable)', repeatable);
  if (mode === 'update') {
    cmd
      .option('--no-first-party', 'ask users for consent again')
      .option('--no-redirect-uri', 'remove every redirect URI')
      .option('--no-post-logout-redirect-uri', 'remove every post-logout redirect URI')
      .option('--no-audience', 'remove every audience')
      .option('--no-cors-origin', 'remove every CORS origin')
      .option('--no-jwks', 'remove the JWK Set')
      .option('--no-jwks-uri', 'remove the JWK Set URL')
      .option('--no-access-token-ttl', "use the tenant's access token lifetime")
      .option('--no-refresh-token-ttl', "use the tenant's refresh token lifetime");
  }
  return cmd;
}

/** The API body (snake_case, as in createClientSchema) for the flags given; flags not given are left out. */
function clientBody(f: ClientFlags): Record<string, unknown> {
  const list = (v: string[] | false | undefined) => (v === false ? [] : v);
  const ttl = (flag: string, v: string | false | undefined) => (v === false ? null : seconds(flag, v));
  const body: Record<string, unknown> = {
    name: f.name,
    type: f.type,
    redirect_uris: list(f.redirectUri),
    post_logout_redirect_uris: list(f.postLogoutRedirectUri),
    grant_types: f.grant,
    scopes: f.scope,
    audiences: list(f.audience),
    token_endpoint_auth_method: f.authMethod,
    jwks: f.jwksFile !== undefined ? readJwks(f.jwksFile) : f.jwks === false ? null : undefined,
    jwks_uri: f.jwksUri === false ? null : f.jwksUri,
    id_token_signed_response_alg: f.idTokenAlg,
    access_token_ttl: ttl('--access-token-ttl', f.accessTokenTtl),
    refresh_token_ttl: ttl('--refresh-token-ttl', f.refreshTokenTtl),
    first_party: f.firstParty,
    cors_origins: list(f.corsOrigin),
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

/**
 * A confidential client needs to say whether people sign in through it (redirect URIs) or it is a machine
 * (client_credentials). Neither given: ask on a terminal, refuse otherwise.
 */
async function askKind(ctx: CommandContext, f: ClientFlags): Promise<Record<string, unknown>> {
  const isPublic = f.type === 'public' || f.authMethod === 'none';
  if (isPublic || (Array.isArray(f.redirectUri) && f.redirectUri.length) || f.grant?.length) return {};
  if (!ctx.io.stdinIsTTY || ctx.io.json) throw new UsageError('say what kind of client this is: --redirect-uri URL for an app that signs users in, or --grant client_credentials for a machine client');
  const { input, select } = await import('@inquirer/prompts');
  // A fresh pair per prompt: the prompt library ends its output when it is done.
  const prompts = () => promptStreams(ctx);
  const kind = await select(
    {
      message: 'What kind of client is this?',
      choices: [
        { name: 'An app people sign in to (authorization code; needs its redirect URI)', value: 'web' },
        { name: 'A machine client: a service calling APIs as itself (client_credentials)', value: 'machine' },
      ],
    },
    prompts(),
  );
  if (kind === 'machine') return { grant_types: ['client_credentials'], scopes: f.scope ?? [] };
  const uri = await input({ message: 'Redirect URI (exact, e.g. https://app.example.com/callback)', validate: (v) => (/^[a-z][a-z0-9+.-]*:\S+$/i.test(v) ? true : 'a URL such as https://app.example.com/callback') }, prompts());
  return { redirect_uris: [uri] };
}

/** A JWK Set from a file; a single JWK is taken as a set of one. */
function readJwks(file: string): unknown {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --jwks-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw new ValidationFailed('jwks', `${file} is not JSON`);
  }
  return doc && typeof doc === 'object' && 'kty' in doc ? { keys: [doc] } : doc;
}

function secretLines(secret: string | undefined): string {
  if (!secret) return '';
  return `\nclient_secret: ${secret}\nStore the client secret now: it will not be shown again (authflow keeps only its hash).`;
}

function clientBlock(c: ClientView): string {
  return fields([
    ['client_id', c.client_id],
    ['tenant', c.tenant],
    ['name', c.name],
    ['type', c.type],
    ['token_endpoint_auth_method', c.token_endpoint_auth_method],
    ['grant_types', c.grant_types],
    ['redirect_uris', c.redirect_uris],
    ['post_logout_redirect_uris', c.post_logout_redirect_uris],
    ['scopes', c.scopes],
    ['audiences', c.audiences],
    ['id_token_signed_response_alg', c.id_token_signed_response_alg],
    ['access_token_ttl', c.access_token_ttl ?? "(tenant's)"],
    ['refresh_token_ttl', c.refresh_token_ttl ?? "(tenant's)"],
    ['first_party', c.first_party],
    ['cors_origins', c.cors_origins],
    ['jwks', c.jwks ? `${(c.jwks as { keys: unknown[] }).keys.length} key(s)` : null],
    ['jwks_uri', c.jwks_uri],
    ...(c.previous_secret_expires_at ? [['previous secret valid until', c.previous_secret_expires_at] as const] : []),
    ['created_at', c.created_at],
    ['updated_at', c.updated_at],
  ]);
}
