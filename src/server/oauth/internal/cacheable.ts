import type { H3Event } from 'h3';
import { sha256 } from '../../../crypto/index.ts';

/** A public, cacheable JSON document with its strong ETag (RFC 9110 §8.8.3). */
export interface Cacheable {
  readonly body: string;
  readonly etag: string;
}

export function cacheable(doc: unknown): Cacheable {
  const body = JSON.stringify(doc);
  return { body, etag: `"${sha256(body)}"` };
}

/** 200 with the document, or 304 when the client's If-None-Match has it (RFC 9110 §13.1.2); both carry the cache headers. */
export function serveCacheable(event: H3Event, doc: Cacheable, contentType: string, maxAge: number): Response {
  const headers = { 'content-type': contentType, 'cache-control': `public, max-age=${maxAge}`, etag: doc.etag };
  const inm = event.req.headers.get('if-none-match');
  if (inm !== null && (inm.trim() === '*' || inm.split(',').some((t) => t.trim().replace(/^W\//, '') === doc.etag))) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(event.req.method === 'HEAD' ? null : doc.body, { status: 200, headers });
}
