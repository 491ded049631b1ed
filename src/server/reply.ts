import { FastResponse } from 'srvx';

/**
 * A response whose body is already a string or bytes. node:http gets it as
 * is — status, header list and body in one write, with its Content-Length —
 * instead of through a web ReadableStream (chunked, several writes). Under
 * `app.fetch` it is an ordinary Response.
 */
export function reply(body: string | Uint8Array | null, status: number, headers: Record<string, string> | Headers): Response {
  return new FastResponse(body, { status, headers });
}
