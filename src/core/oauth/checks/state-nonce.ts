import { InvalidRequest } from '../errors.ts';
import { isOpenId } from '../authorization-request.ts';
import { param, type CheckContext } from '../authorize/context.ts';

const MAX = 1024;

/**
 * RFC 6749 §4.1.1 state and OIDC Core §3.1.2.1 nonce are opaque and passed
 * through unchanged (state to the redirect, nonce into the ID token). Only
 * their size is bounded.
 */
export function checkStateAndNonce(ctx: CheckContext): void {
  const state = param(ctx, 'state');
  const nonce = param(ctx, 'nonce');
  if (state && state.length > MAX) throw new InvalidRequest(`state must be at most ${MAX} characters`);
  if (nonce && nonce.length > MAX) throw new InvalidRequest(`nonce must be at most ${MAX} characters`);
  ctx.request.state = state ?? null;
  // A nonce is meaningless without an ID token to carry it.
  ctx.request.nonce = nonce && isOpenId({ scopes: ctx.request.scopes ?? [] }) ? nonce : null;
}
