import type { H3Event } from 'h3';
import { waitText } from '../../core/duration.ts';
import { RateLimited } from '../../core/errors.ts';
import type { ServerDeps } from '../deps.ts';
import { pageTenant, type PageTenant } from './context.ts';
import { csrfValid } from './csrf.ts';
import { CsrfRefused } from './page-errors.ts';
import { formBody, singleValues } from './params.ts';

/** What a form's CSRF token is bound to: a cookie's (or a mailed link's) secret and the form's purpose (csrf.ts). */
export interface CsrfBinding {
  readonly secret: string | undefined;
  readonly purpose: string;
}

export type CsrfCheck = CsrfBinding | ((form: ReadonlyMap<string, string>) => CsrfBinding) | 'spends-its-token';

/** A page shown again with an error line and a status (the person keeps what they typed). */
export type ShowAgain = (error: string, status: number) => Response | Promise<Response>;

/** What a page handler gets. */
export interface PageRequest {
  readonly event: H3Event;
  readonly t: PageTenant;
  /**
   * The posted form (single values), read within the size limit and its
   * `csrf` field checked against `csrf` — which may read the form, for a form
   * bound to a link's token; `'spends-its-token'` for a form that only spends
   * the single-use token it carries (that token is what a forger lacks).
   * BadForm (400) or CsrfRefused (403) otherwise.
   */
  form(csrf: CsrfCheck): Promise<Map<string, string>>;
  /**
   * The page a refusal for now (RateLimited) shows again: with the wait in
   * words, 429 and Retry-After. Without one it is the error page.
   */
  showAgain(view: ShowAgain): void;
}

/**
 * A hosted page route: the tenant is resolved first (an unknown one is the
 * 404 page), then the handler parses, calls the core and picks the view;
 * whatever it throws becomes the error page (src/server/respond.ts).
 */
export function pageRoute(deps: Pick<ServerDeps, 'directory' | 'publicUrl'>, handle: (req: PageRequest) => Promise<Response>) {
  return async (event: H3Event): Promise<Response> => {
    const t = await pageTenant(event, deps);
    let again: ShowAgain | undefined;
    const req: PageRequest = {
      event,
      t,
      form: (csrf) => postedForm(event, csrf),
      showAgain: (view) => void (again = view),
    };
    try {
      return await handle(req);
    } catch (e) {
      if (!(e instanceof RateLimited) || !again) throw e;
      // The core's message may already say when (a lockout names its wait); otherwise the wait is added in words.
      const said = /\b(?:try again|wait)\b/i.test(e.message) ? e.message : `${e.message} Try again in ${waitText(e.retryAfter)}.`;
      const res = await again(said, 429);
      res.headers.set('retry-after', String(e.retryAfter));
      return res;
    }
  };
}

async function postedForm(event: H3Event, csrf: CsrfCheck): Promise<Map<string, string>> {
  const form = singleValues(await formBody(event));
  if (csrf === 'spends-its-token') return form;
  const binding = typeof csrf === 'function' ? csrf(form) : csrf;
  if (!csrfValid(binding.secret, binding.purpose, form.get('csrf'))) throw new CsrfRefused();
  return form;
}
