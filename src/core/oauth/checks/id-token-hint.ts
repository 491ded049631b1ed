import { InvalidRequest } from '../errors.ts';
import { param, type CheckContext } from '../authorize/context.ts';
import { verifyIdTokenHint } from '../tokens/id-token-hint.ts';

/**
 * OIDC Core §3.1.2.1 id_token_hint: an ID token this tenant issued to this
 * client; its `sub` must then be the user who signs in (a session of another
 * user does not count, and prompt=none gets login_required).
 */
export async function checkIdTokenHint(ctx: CheckContext): Promise<void> {
  ctx.request.idTokenHintSub = null;
  const token = param(ctx, 'id_token_hint');
  if (!token) return;
  const hint = await verifyIdTokenHint(ctx.signer, ctx.tenant.id, ctx.issuer, token);
  if (!hint || !hint.aud.includes(ctx.client!.clientId)) throw new InvalidRequest('the id_token_hint was not issued by this issuer to this client');
  ctx.request.idTokenHintSub = hint.sub;
}
