import { RegistrationNotSupported, RequestNotSupported, RequestUriNotSupported } from '../errors.ts';
import type { CheckContext } from '../authorize/context.ts';

/**
 * OIDC Core §6 request objects and §7.2.1 self-issued registration are not
 * supported: refused with the codes of §3.1.2.6 rather than silently ignored,
 * since the parameters inside them would otherwise be lost.
 */
export function checkRequestObject(ctx: CheckContext): void {
  if (ctx.params.has('request')) throw new RequestNotSupported();
  if (ctx.params.has('request_uri')) throw new RequestUriNotSupported();
  if (ctx.params.has('registration')) throw new RegistrationNotSupported();
}
