import { createHash } from 'node:crypto';

/** A CSP hash-source for an inline script or style (CSP Level 3 §2.3.1): `'sha256-<base64>'` of its exact text. */
export function cspHash(source: string): string {
  return `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;
}
