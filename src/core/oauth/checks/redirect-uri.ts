import { InvalidRequest } from '../errors.ts';
import type { CheckContext } from '../authorize/context.ts';

/**
 * RFC 6749 §3.1.2.3 and RFC 9700 §4.1.3: the redirect_uri must be one the
 * client registered, compared as exact strings (no prefix, case or trailing
 * slash tolerance). Required (OIDC Core §3.1.2.1). Failing it, the error is
 * shown to the user and never redirected (RFC 6749 §4.1.2.1: an open redirector otherwise).
 */
export function checkRedirectUri(ctx: CheckContext): void {
  const values = ctx.params.get('redirect_uri') ?? [];
  if (values.length > 1) throw new InvalidRequest('the redirect_uri parameter is repeated');
  const uri = values[0];
  if (!uri) throw new InvalidRequest('the redirect_uri parameter is missing');
  if (!ctx.client!.redirectUris.includes(uri)) throw new InvalidRequest('the redirect_uri is not registered for this client');
  ctx.request.redirectUri = uri;
}
