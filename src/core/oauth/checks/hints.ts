import { InvalidRequest } from '../errors.ts';
import { list, param, type CheckContext } from '../authorize/context.ts';

const DISPLAY = new Set(['page', 'popup', 'touch', 'wap']);

/**
 * OIDC Core §3.1.2.1 login_hint (prefills the identifier), ui_locales
 * (BCP 47 tags, in preference order) and display (every value renders the
 * same responsive page).
 */
export function checkHints(ctx: CheckContext): void {
  const loginHint = param(ctx, 'login_hint');
  if (loginHint && loginHint.length > 320) throw new InvalidRequest('login_hint is too long');
  ctx.request.loginHint = loginHint ?? null;
  const locales = list(param(ctx, 'ui_locales'));
  if (locales.some((l) => !/^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(l))) throw new InvalidRequest('ui_locales must be space-separated BCP 47 language tags');
  ctx.request.uiLocales = locales.slice(0, 10);
  const display = param(ctx, 'display');
  if (display && !DISPLAY.has(display)) throw new InvalidRequest('display must be page, popup, touch or wap');
}
