import type { H3Event } from 'h3';
import type { Readable } from 'node:stream';
import { readAtMost } from '../../../core/bounded-read.ts';
import { InvalidRequest } from '../../../core/oauth/errors.ts';
import { REPEATABLE_PARAMETERS } from '../../../core/oauth/token-endpoint.ts';

/** The largest form body an OAuth endpoint reads (a client assertion with a certificate chain fits easily). */
export const MAX_FORM_BYTES = 16 * 1024;

/**
 * Reads an `application/x-www-form-urlencoded` body (RFC 6749 §3.2, RFC 7662
 * §2.1, RFC 7009 §2.1) strictly: another media type, more than
 * MAX_FORM_BYTES, bytes that are not UTF-8, a malformed percent-escape, or a
 * parameter given twice (RFC 6749 §3.1; except REPEATABLE_PARAMETERS) is
 * invalid_request — never a 500. Parameters without a value are treated as
 * omitted (RFC 6749 §3.1).
 */
export async function readForm(event: H3Event): Promise<Map<string, string>> {
  const req = event.req;
  if (!isFormType(req.headers.get('content-type'))) throw new InvalidRequest('the request body must be application/x-www-form-urlencoded (RFC 6749 §3.2)');
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > MAX_FORM_BYTES) throw tooLarge();
  const node = event.runtime?.node;
  const text = decodeUtf8(node ? await readNodeBody(node.req, node.res, MAX_FORM_BYTES) : await readAtMost(req.body, MAX_FORM_BYTES, tooLarge));
  const params = new Map<string, string>();
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    if (value === '') continue;
    const previous = params.get(name);
    if (previous === undefined) {
      params.set(name, value);
    } else if (REPEATABLE_PARAMETERS.has(name) && !value.includes(' ')) {
      params.set(name, `${previous} ${value}`);
    } else {
      throw new InvalidRequest(`the "${name}" parameter must not be repeated (RFC 6749 §3.1)`);
    }
  }
  return params;
}

function isFormType(header: string | null): boolean {
  if (!header) return false;
  const [essence, ...parameters] = header.split(';').map((s) => s.trim().toLowerCase());
  return essence === 'application/x-www-form-urlencoded' && parameters.every((p) => p === '' || /^charset="?utf-8"?$/.test(p));
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new InvalidRequest('the request body is not correctly form-urlencoded');
  }
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InvalidRequest('the request body is not UTF-8');
  }
}

const tooLarge = () => new InvalidRequest(`the request body is larger than ${MAX_FORM_BYTES} bytes`);

/**
 * The body straight from node:http (no web stream in between), counted as it
 * arrives and refused at the limit, whatever Content-Length said. A refused
 * body is not read further: the answer then closes the connection.
 */
function readNodeBody(req: Readable, res: object | undefined, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const done = () => {
      req.off('data', data).off('end', end).off('error', fail).off('close', closed);
    };
    const data = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total <= limit) return void chunks.push(chunk);
      done();
      req.pause();
      if (res && 'shouldKeepAlive' in res) res.shouldKeepAlive = false;
      reject(tooLarge());
    };
    const end = () => {
      done();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const fail = (e: Error) => {
      done();
      reject(e);
    };
    // Closed before the end of the body: the client went away.
    const closed = () => fail(Object.assign(new Error('the client closed the connection before the end of the body'), { code: 'ECONNRESET' }));
    if (req.readableEnded) return resolve(new Uint8Array(0));
    req.on('data', data).on('end', end).on('error', fail).on('close', closed);
  });
}
