import type { H3Event } from 'h3';
import { readAtMost } from '../../core/bounded-read.ts';
import { BadForm } from './page-errors.ts';

/** The largest form a hosted page or the authorization endpoint reads. */
const MAX_FORM_BYTES = 32 * 1024;

/** Every parameter with all its values (duplicates kept: the checks refuse them, RFC 6749 §3.1). */
export function multiMap(search: URLSearchParams): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [k, v] of search) {
    const list = map.get(k);
    if (list) list.push(v);
    else map.set(k, [v]);
  }
  return map;
}

/** The request's query, or for POST its application/x-www-form-urlencoded body (OIDC Core §3.1.2.1: both are allowed). */
export async function requestParams(event: H3Event): Promise<Map<string, string[]>> {
  if (event.req.method === 'POST') return multiMap(await formBody(event));
  return multiMap(event.url.searchParams);
}

/** The posted form, bounded in size. */
export async function formBody(event: H3Event): Promise<URLSearchParams> {
  const type = (event.req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new BadForm('the form must be sent as application/x-www-form-urlencoded');
  const declared = event.req.headers.get('content-length');
  if (declared !== null && Number(declared) > MAX_FORM_BYTES) throw new BadForm('the form is too large');
  const bytes = await readAtMost(event.req.body, MAX_FORM_BYTES, () => new BadForm('the form is too large'));
  return new URLSearchParams(Buffer.from(bytes).toString('utf8'));
}

/** A form's single values (a repeated field keeps its first value). */
export function singleValues(form: URLSearchParams): Map<string, string> {
  const map = new Map<string, string>();
  for (const [k, v] of form) if (!map.has(k)) map.set(k, v);
  return map;
}
