import type { H3Event } from 'h3';
import { BodyTooLarge, MalformedBody, UnsupportedMediaType } from './errors.ts';

/** The largest request body the management API reads. */
export const MAX_BODY_BYTES = 64 * 1024;

// application/json and structured-syntax +json types (application/merge-patch+json for PATCH).
const JSON_TYPE = /^application\/(?:[a-z0-9!#$&^_.-]+\+)?json$/;

/**
 * Reads a JSON request body: undefined when there is none. Refuses a non-JSON
 * media type (415), more than MAX_BODY_BYTES whether announced by
 * Content-Length or only found while reading (413), and anything that is not
 * UTF-8 JSON (400). Input validation is the core's job.
 */
export async function readJsonBody(event: H3Event): Promise<unknown> {
  const req = event.req;
  const type = req.headers.get('content-type');
  if (type !== null && !isJsonType(type)) throw new UnsupportedMediaType(req.method);
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > MAX_BODY_BYTES) throw new BodyTooLarge(MAX_BODY_BYTES);
  const bytes = await readAtMost(req.body, MAX_BODY_BYTES);
  if (bytes.byteLength === 0) return undefined;
  if (type === null) throw new UnsupportedMediaType(req.method);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new MalformedBody('The request body is not valid UTF-8.');
  }
  try {
    return JSON.parse(text, noProtoMembers);
  } catch (e) {
    throw e instanceof MalformedBody ? e : new MalformedBody('The request body is not valid JSON.');
  }
}

function isJsonType(header: string): boolean {
  const [essence, ...params] = header.split(';').map((s) => s.trim().toLowerCase());
  if (!essence || !JSON_TYPE.test(essence)) return false;
  // JSON is UTF-8 (RFC 8259 §8.1); a charset other than that is a different body.
  return params.every((p) => !p.startsWith('charset=') || /^charset="?utf-8"?$/.test(p));
}

/** Counts bytes as they arrive and stops at the limit: a body with no or a false Content-Length cannot get past it. */
async function readAtMost(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** A `__proto__` member would become an object's prototype once merged (JSON Merge Patch): refuse it outright. */
function noProtoMembers(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new MalformedBody('The request body has a "__proto__" member.');
  return value;
}
