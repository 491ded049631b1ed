import { etagOf, type Page } from '../../core/admin/index.ts';

/** Where the management API lives. */
export const API_BASE = '/api/v1';

/** A JSON response that no cache keeps (management data is per-key and may carry secrets). */
export function json(status: number, body: unknown, headers: Record<string, string | undefined> = {}): Response {
  const h = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' });
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) h.set(k, v);
  return new Response(JSON.stringify(body), { status, headers: h });
}

/** A resource with its strong ETag (RFC 9110 §8.8.3), for If-Match on the next update. */
export function resource(status: number, view: unknown, headers: Record<string, string | undefined> = {}): Response {
  return json(status, view, { etag: etagOf(view), ...headers });
}

/** A page of a list, with the next page also in a `Link: <…>; rel="next"` header (RFC 8288). */
export function page(url: URL, p: Page<unknown>): Response {
  let link: string | undefined;
  if (p.next_cursor) {
    const q = new URLSearchParams(url.searchParams);
    q.set('cursor', p.next_cursor);
    link = `<${url.pathname}?${q}>; rel="next"`;
  }
  return json(200, p, { link });
}

/** The path of a resource under the API, each segment percent-encoded. */
export function apiPath(...segments: string[]): string {
  return `${API_BASE}/${segments.map(encodeURIComponent).join('/')}`;
}
