import { matchSecretHashes, sha256 } from '../../../../crypto/index.ts';
import type { Client } from '../../../clients/client.ts';
import { InvalidClient } from '../../errors.ts';

/** The one description of a failed authentication: an unknown client and a wrong secret read the same (no enumeration). */
export const AUTH_FAILED = 'client authentication failed';

export const authFailed = (): InvalidClient => new InvalidClient(AUTH_FAILED);

/** Compared against when the client is unknown, so that path costs what a wrong secret costs. */
const DUMMY_HASH = sha256('authflow: no such client');

/**
 * RFC 6749 §2.3.1: the client's current secret, or its previous one until the
 * rotation's grace period ends. The presented secret is hashed once and
 * compared with both in constant time, whatever the outcome of the first.
 */
export function secretMatches(client: Client | undefined, presented: string, now: number): boolean {
  const previousHash = client?.previousSecretHash ?? null;
  const previousValid = previousHash !== null && (client?.previousSecretExpiresAt ?? null) !== null && now < client!.previousSecretExpiresAt!;
  const [current, previous] = matchSecretHashes(presented, [client?.secretHash ?? DUMMY_HASH, previousValid ? previousHash : DUMMY_HASH]);
  return (client?.secretHash ?? null) !== null && (current! || (previousValid && previous!));
}

/** RFC 6749 Appendix B: application/x-www-form-urlencoded decoding of one Basic credential part. */
export function formUrlDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
