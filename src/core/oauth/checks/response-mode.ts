import { InvalidRequest } from '../errors.ts';
import type { CheckContext } from '../authorize/context.ts';
import type { ResponseMode } from '../authorization-request.ts';

const MODES: readonly ResponseMode[] = ['query', 'form_post'];

/**
 * OAuth 2.0 Multiple Response Type Encoding Practices §2.1 and Form Post
 * Response Mode §2: `query` (the default for `code`) or `form_post`. The
 * fragment mode is not offered: the code would sit in browser history.
 */
export function checkResponseMode(ctx: CheckContext): void {
  ctx.request.responseMode = 'query';
  const values = ctx.params.get('response_mode') ?? [];
  const mode = values[0];
  if (values.length === 1 && (MODES as readonly string[]).includes(mode!)) ctx.request.responseMode = mode as ResponseMode;
  else if (values.length > 1) throw new InvalidRequest('the response_mode parameter is repeated');
  else if (mode) throw new InvalidRequest(`response_mode "${mode.slice(0, 40)}" is not supported (use query or form_post)`);
}
