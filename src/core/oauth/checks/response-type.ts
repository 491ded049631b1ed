import { InvalidRequest, UnauthorizedClient, UnsupportedResponseType } from '../errors.ts';
import { param, type CheckContext } from '../authorize/context.ts';

/**
 * RFC 6749 §4.1.1: response_type is required and, here, must be `code`
 * (RFC 9700 §2.1.2: no implicit or hybrid flows). The client must be
 * registered for the authorization_code grant (§4.1.2.1 unauthorized_client).
 */
export function checkResponseType(ctx: CheckContext): void {
  const type = param(ctx, 'response_type');
  if (!type) throw new InvalidRequest('the response_type parameter is missing');
  if (type !== 'code') throw new UnsupportedResponseType();
  if (!ctx.client!.grantTypes.includes('authorization_code')) throw new UnauthorizedClient('this client is not registered for the authorization code flow');
}
