import { InvalidRequest } from '../errors.ts';
import { param, type CheckContext } from '../authorize/context.ts';

/** RFC 7636 §4.2: BASE64URL of a SHA-256 is 43 characters; the ABNF allows 43–128 unreserved characters. */
const CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * RFC 7636 (PKCE). Public clients must send an S256 challenge (RFC 9700
 * §2.1.1, RFC 7636 §4.4.1 invalid_request); confidential clients may. `plain`
 * is refused — including when code_challenge_method is absent, which RFC
 * 7636 §4.3 defines as plain.
 */
export function checkPkce(ctx: CheckContext): void {
  const challenge = param(ctx, 'code_challenge');
  const method = param(ctx, 'code_challenge_method');
  if (!challenge) {
    if (method) throw new InvalidRequest('code_challenge_method was sent without a code_challenge');
    if (ctx.client!.type === 'public') throw new InvalidRequest('PKCE is required for this client: send code_challenge with code_challenge_method=S256');
    ctx.request.codeChallenge = null;
    ctx.request.codeChallengeMethod = null;
    return;
  }
  if (method !== 'S256') throw new InvalidRequest('code_challenge_method must be S256 (plain is not supported)');
  if (!CHALLENGE.test(challenge)) throw new InvalidRequest('code_challenge must be 43 to 128 characters from [A-Z a-z 0-9 - . _ ~] (RFC 7636 §4.2)');
  ctx.request.codeChallenge = challenge;
  ctx.request.codeChallengeMethod = 'S256';
}
