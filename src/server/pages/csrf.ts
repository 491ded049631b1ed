import { deriveToken, safeEqual } from '../../crypto/index.ts';

/**
 * CSRF tokens bound to a cookie's secret (the interaction's or the
 * session's): HMAC(secret, purpose). A cross-site page can neither read the
 * cookie nor compute the token; compared in constant time.
 */
export function csrfToken(cookieSecret: string, purpose: string): string {
  return deriveToken(cookieSecret, `csrf:${purpose}`);
}

export function csrfValid(cookieSecret: string | undefined, purpose: string, presented: string | undefined): boolean {
  if (!cookieSecret || !presented) return false;
  return safeEqual(csrfToken(cookieSecret, purpose), presented);
}
