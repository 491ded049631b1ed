import type { Repository } from '../ports.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { USER_COLUMNS, type ImportFormat } from './import/records.ts';
import { PASSWORD } from './password.ts';
import type { User } from './user.ts';

type Deps = { readonly repo: Pick<Repository, 'users' | 'credentials'> };

export interface ExportOptions {
  readonly format: ImportFormat;
  /** Adds `password_hash` (the stored hash, argon2id or an imported format): only when asked for explicitly. */
  readonly includePasswordHashes?: boolean;
  /** Users read per query (default 500). */
  readonly pageSize?: number;
}

/** A user as an import row: the same names, nothing that is unset, no ids or timestamps of this install. */
function rowOf(u: User): Record<string, unknown> {
  const row: Record<string, unknown> = {
    email: u.email,
    email_verified: u.emailVerified,
    name: u.name,
    given_name: u.givenName,
    family_name: u.familyName,
    phone: u.phone,
    locale: u.locale,
    picture: u.picture,
    external_id: u.externalId,
    attributes: Object.keys(u.attributes).length ? u.attributes : null,
    disabled: u.disabled || null,
  };
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null));
}

/** RFC 4180 quoting: a field with a comma, quote or line break is quoted, quotes doubled. */
function csvField(value: unknown): string {
  if (value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The tenant's users in the format `importUsers` reads (JSON Lines, or CSV
 * with a header), one chunk of text per user, read page by page so memory
 * stays bounded. Password hashes only with `includePasswordHashes`.
 */
export async function* exportUsers(deps: Deps, tenant: Tenant, options: ExportOptions): AsyncGenerator<string> {
  const columns = USER_COLUMNS.filter((c) => c !== 'password' && (c !== 'password_hash' || options.includePasswordHashes));
  if (options.format === 'csv') yield `${columns.join(',')}\r\n`;
  const limit = options.pageSize ?? 500;
  let after: string | undefined;
  for (;;) {
    const page = await deps.repo.users.list(tenant.id, { limit, after });
    for (const user of page) {
      const row = rowOf(user);
      if (options.includePasswordHashes) {
        const secret = (await deps.repo.credentials.ofUser(tenant.id, user.id, PASSWORD))[0]?.secret;
        if (secret) row.password_hash = secret;
      }
      yield options.format === 'csv' ? `${columns.map((c) => csvField(row[c])).join(',')}\r\n` : `${JSON.stringify(row)}\n`;
    }
    if (page.length < limit) return;
    after = page.at(-1)!.id;
  }
}
