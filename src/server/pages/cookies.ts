import type { H3Event } from 'h3';
import { parseCookies } from 'h3';

/** Whether cookies for this issuer must be Secure (and may use the __Host- prefix): an https issuer. */
export function secureIssuer(issuer: string): boolean {
  return issuer.startsWith('https://');
}

const prefix = (secure: boolean) => (secure ? '__Host-' : '');

/** The tenant's SSO session cookie: one per tenant (a custom-domain tenant has its own host anyway). */
export function sessionCookieName(slug: string, secure: boolean): string {
  return `${prefix(secure)}af_${slug}`;
}

/** One cookie per interaction, so sign-ins in two tabs do not overwrite each other. */
export function interactionCookieName(id: string, secure: boolean): string {
  return `${prefix(secure)}af_ix_${id}`;
}

/**
 * Interaction cookies beyond the newest `keep` (ids are UUIDv7, so names sort
 * by age): cleared when a new one is set, so abandoned sign-ins (or a page
 * bouncing the browser through /authorize) cannot pile up cookies until the
 * request headers get too large.
 */
export function staleInteractionCookies(event: H3Event, secure: boolean, keep: number): string[] {
  const prefix = interactionCookieName('', secure);
  const names = Object.keys(parseCookies(event)).filter((n) => n.startsWith(prefix)).sort();
  return names.slice(0, Math.max(0, names.length - keep));
}

export function cookieValue(event: H3Event, name: string): string | undefined {
  const v = parseCookies(event)[name];
  return v === undefined || v === '' ? undefined : v;
}

/**
 * A Set-Cookie value (RFC 6265bis): always HttpOnly, SameSite=Lax and Path=/
 * (required by __Host-); Secure on https. `maxAge` undefined: a browser-session
 * cookie; 0: delete.
 */
export function setCookie(name: string, value: string, options: { secure: boolean; maxAge?: number }): string {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (options.secure) parts.push('Secure');
  if (options.maxAge !== undefined) {
    parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAge))}`);
    if (options.maxAge <= 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  }
  return parts.join('; ');
}

export function clearCookie(name: string, secure: boolean): string {
  return setCookie(name, '', { secure, maxAge: 0 });
}
