import type { H3Event } from 'h3';
import { readAtMost } from '../../core/bounded-read.ts';
import { BodyTooLarge, MalformedBody, UnsupportedMediaType } from './errors.ts';

/** The largest request body the management API reads. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The deepest nesting of objects and arrays a request body may have (no operation needs more than a few levels). */
export const MAX_JSON_DEPTH = 32;

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
  const bytes = await readAtMost(req.body, MAX_BODY_BYTES, () => new BodyTooLarge(MAX_BODY_BYTES));
  if (bytes.byteLength === 0) return undefined;
  if (type === null) throw new UnsupportedMediaType(req.method);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new MalformedBody('The request body is not valid UTF-8.');
  }
  if (nestingDepth(text) > MAX_JSON_DEPTH) throw new MalformedBody(`The request body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels.`);
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

/** The deepest nesting of `{` and `[` outside strings (a malformed document is JSON.parse's to refuse). */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** A `__proto__` member would become an object's prototype once merged (JSON Merge Patch): refuse it outright. */
function noProtoMembers(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new MalformedBody('The request body has a "__proto__" member.');
  return value;
}
