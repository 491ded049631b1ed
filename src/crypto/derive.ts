import { createHmac } from 'node:crypto';

/**
 * A token derived from a secret for one purpose: HMAC-SHA256(secret, purpose),
 * base64url. Used for CSRF tokens bound to a cookie's secret — whoever cannot
 * read the cookie cannot compute it — and different from the stored SHA-256,
 * so a database copy does not yield it either.
 */
export function deriveToken(secret: string, purpose: string): string {
  return createHmac('sha256', secret).update(purpose).digest('base64url');
}
