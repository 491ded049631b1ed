import { InvalidRequest } from '../errors.ts';
import { param, type CheckContext } from '../authorize/context.ts';

/**
 * OIDC Core §3.1.2.1 max_age: seconds since the last active authentication
 * beyond which the user must authenticate again. A non-negative integer.
 */
export function checkMaxAge(ctx: CheckContext): void {
  const raw = param(ctx, 'max_age');
  if (raw === undefined) {
    ctx.request.maxAge = null;
    return;
  }
  if (!/^\d{1,10}$/.test(raw)) throw new InvalidRequest('max_age must be a non-negative integer number of seconds');
  ctx.request.maxAge = Number(raw);
}
