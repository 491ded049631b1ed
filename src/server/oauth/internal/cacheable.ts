import type { H3Event } from 'h3';
import { sha256 } from '../../../crypto/index.ts';
import { reply } from '../../reply.ts';

/** A public, cacheable JSON document, serialised once, with its strong ETag (RFC 9110 §8.8.3). */
export interface Cacheable {
  readonly body: Uint8Array;
  readonly etag: string;
}

export function cacheable(doc: unknown): Cacheable {
  const body = Buffer.from(JSON.stringify(doc));
  return { body, etag: `"${sha256(body)}"` };
}

/** 200 with the document, or 304 when the client's If-None-Match has it (RFC 9110 §13.1.2); both carry the cache headers. */
export function serveCacheable(event: H3Event, doc: Cacheable, contentType: string, maxAge: number): Response {
  const headers = { 'content-type': contentType, 'cache-control': `public, max-age=${maxAge}`, etag: doc.etag };
  const inm = event.req.headers.get('if-none-match');
  if (inm !== null && (inm.trim() === '*' || inm.split(',').some((t) => t.trim().replace(/^W\//, '') === doc.etag))) {
    return reply(null, 304, headers);
  }
  // HEAD: the same headers, Content-Length included (RFC 9110 §9.3.2), without the body.
  return event.req.method === 'HEAD' ? reply(null, 200, { ...headers, 'content-length': String(doc.body.byteLength) }) : reply(doc.body, 200, headers);
}
