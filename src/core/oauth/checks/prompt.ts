import { InvalidRequest } from '../errors.ts';
import { list, param, type CheckContext } from '../authorize/context.ts';
import type { Prompt } from '../authorization-request.ts';

const KNOWN = new Set(['none', 'login', 'consent', 'select_account']);

/**
 * OIDC Core §3.1.2.1 prompt: none, login, consent, select_account (handled
 * as login: one account per browser session here). `none` with any other
 * value is an error (invalid_request), as is an unknown value.
 */
export function checkPrompt(ctx: CheckContext): void {
  const values = list(param(ctx, 'prompt'));
  const unknown = values.find((v) => !KNOWN.has(v));
  if (unknown) throw new InvalidRequest(`prompt value "${unknown.slice(0, 40)}" is not supported`);
  if (values.includes('none') && values.length > 1) throw new InvalidRequest('prompt=none cannot be combined with other prompt values');
  const prompt = new Set<Prompt>(values.map((v) => (v === 'select_account' ? 'login' : (v as Prompt))));
  ctx.request.prompt = [...prompt];
}
