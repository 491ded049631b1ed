/** A scope as the consent page lists it. */
export interface ScopeLine {
  readonly name: string;
  readonly description: string;
}

/**
 * What a hosted page shows, decided by the core; the server renders it with
 * a template. New steps add new kinds.
 */
export type Page =
  | { readonly kind: 'login'; readonly identifier: string; readonly error: string | null }
  | { readonly kind: 'consent'; readonly account: string; readonly scopes: readonly ScopeLine[]; readonly error: string | null };

/** A page with what every page names: the application asking and the tenant. */
export interface PageView {
  readonly page: Page;
  readonly clientName: string;
  readonly tenantName: string;
}
