import { InvalidRequest } from '../errors.ts';
import { list, param, type CheckContext } from '../authorize/context.ts';

/**
 * OIDC Core §3.1.2.1 acr_values: requested (voluntary) authentication context
 * classes, in order of preference. Recorded; the `acr` claim reports what was
 * actually done.
 */
export function checkAcrValues(ctx: CheckContext): void {
  const raw = param(ctx, 'acr_values');
  if (raw && raw.length > 1000) throw new InvalidRequest('the acr_values parameter is too long');
  ctx.request.acrValues = list(raw);
}
