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
  | { readonly kind: 'consent'; readonly account: string; readonly scopes: readonly ScopeLine[]; readonly error: string | null }
  /** Enter the 6-digit code mailed to `email` (or ask for one: `codeSent` false); `notice`: a new code went out. */
  | { readonly kind: 'verify-email'; readonly email: string; readonly codeSent: boolean; readonly notice: string | null; readonly error: string | null }
  /** Accept the tenant's current terms (`updated`: the user had accepted an earlier version). */
  | { readonly kind: 'terms'; readonly account: string; readonly version: string; readonly termsUrl: string; readonly privacyUrl: string | null; readonly updated: boolean; readonly error: string | null }
  /** "Check your email" while a sign-in link is out; `refresh`: seconds between reloads (the link may be opened on another device). */
  | { readonly kind: 'magic-link-sent'; readonly email: string; readonly refresh: number | null; readonly notice: string | null; readonly error: string | null };

/** A page with what every page names: the application asking and the tenant. */
export interface PageView {
  readonly page: Page;
  readonly clientName: string;
  readonly tenantName: string;
}
