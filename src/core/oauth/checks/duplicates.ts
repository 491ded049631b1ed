import { InvalidRequest } from '../errors.ts';
import type { CheckContext } from '../authorize/context.ts';

/** RFC 6749 §3.1: request parameters MUST NOT be included more than once. */
export function checkDuplicates(ctx: CheckContext): void {
  for (const [name, values] of ctx.params) {
    if (values.length > 1) throw new InvalidRequest(`the ${name.length <= 40 ? name : 'a'} parameter is repeated`);
  }
}
