import { inlineHashes, renderPage, type ViewData } from '../views.ts';

export interface PageOptions {
  readonly status?: number;
  /** Extra targets the page's forms may post (or redirect) to, beyond 'self'. */
  readonly formTargets?: readonly string[];
  readonly headers?: ConstructorParameters<typeof Headers>[0];
}

/**
 * A hosted page as a Response, with the browser protections of DESIGN §4:
 * only the static inline style and script blocks of its templates may run
 * (by hash; no inline handlers, nothing else), `frame-ancestors 'none'` and
 * X-Frame-Options against clickjacking, no referrer (the URL may carry a
 * code or state), never cached. The same page renders the same bytes.
 */
export function pageResponse(template: string, data: ViewData, options: PageOptions = {}): Response {
  const html = renderPage(template, data);
  const headers = new Headers(options.headers);
  headers.set('content-type', 'text/html; charset=utf-8');
  headers.set('content-security-policy', contentSecurityPolicy(template, options));
  headers.set('referrer-policy', 'no-referrer');
  headers.set('x-frame-options', 'DENY');
  headers.set('x-content-type-options', 'nosniff');
  headers.set('cache-control', 'no-store');
  headers.set('pragma', 'no-cache');
  return new Response(html, { status: options.status ?? 200, headers });
}

function contentSecurityPolicy(template: string, options: PageOptions): string {
  const { styles, scripts } = inlineHashes(template);
  return [
    "default-src 'none'",
    styles.length ? `style-src ${styles.join(' ')}` : "style-src 'none'",
    scripts.length ? `script-src ${scripts.join(' ')}` : "script-src 'none'",
    "img-src 'self' data:",
    // Browsers apply form-action to the redirect a form post leads to: allow the client's redirect target too.
    ['form-action', "'self'", ...(options.formTargets ?? [])].join(' '),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * The CSP source expression for where a redirect or form post may go: the
 * origin of an http(s) URI, the scheme of a private-use one (RFC 8252 §7.1).
 */
export function cspSourceOf(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.origin;
    return /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) ? url.protocol : undefined;
  } catch {
    return undefined;
  }
}

/** An error page: never a redirect (RFC 6749 §4.1.2.1 for an invalid client or redirect URI). */
export function errorPage(status: number, heading: string, message: string, options: { code?: string; tenantName?: string; retryAfter?: number } = {}): Response {
  const headers = options.retryAfter !== undefined ? { 'retry-after': String(options.retryAfter) } : undefined;
  return pageResponse('error', { title: heading, tenantName: options.tenantName ?? 'authflow', heading, message, code: options.code ?? null }, { status, ...(headers ? { headers } : {}) });
}
