// What the front door checks before any router sees a request: the raw
// request-target and Host exactly as sent. Routes are matched on the path as
// written, so anything a normaliser (ours, h3's, or a proxy's) could turn into
// another path is refused here rather than resolved.

/** A request the server will not route, and the sentence that says why. */
export interface Refusal {
  readonly status: 400;
  readonly message: string;
}

const refuse = (message: string): Refusal => ({ status: 400, message });

// RFC 3986 §2.3 unreserved characters, percent-encoded: non-canonical (§6.2.2.2), and
// how `%2e%2e` or `/t/%61cc` would reach a path other than the one written.
const ENCODED_UNRESERVED = /%(?:[46][1-9a-f]|[57][0-9a]|3[0-9]|2d|2e|5f|7e)/i;
// An encoded "/" or "\" would split or join segments after a decode (RFC 3986 §2.2).
const ENCODED_SEPARATOR = /%(?:2f|5c)/i;
const MALFORMED_ESCAPE = /%(?![0-9a-f]{2})/i;

/**
 * Checks an origin-form path (RFC 9112 §3.2.1), without its query: no dot
 * segments (RFC 3986 §3.3, plain or encoded), no empty segments (a trailing
 * "/" among them), no encoded separators or needlessly encoded characters,
 * no backslash (WHATWG URL parsers read it as "/"), and only well-formed
 * percent-escapes.
 */
export function checkPath(path: string): Refusal | undefined {
  if (path.charCodeAt(0) !== 47) return refuse('The request target must be an absolute path.');
  if (path.includes('\\')) return refuse('The request path contains a backslash.');
  if (path.includes('%')) {
    if (MALFORMED_ESCAPE.test(path)) return refuse('The request path contains a malformed percent-escape.');
    if (ENCODED_SEPARATOR.test(path)) return refuse('The request path contains an encoded "/" or "\\".');
    if (ENCODED_UNRESERVED.test(path)) return refuse('The request path percent-encodes a character that must be sent as is.');
  }
  // Every segment after the leading "/": "." and ".." are dot segments; "" between two slashes is empty.
  let start = 1;
  for (let i = 1; i <= path.length; i++) {
    if (i < path.length && path.charCodeAt(i) !== 47) continue;
    const length = i - start;
    if (length === 0 && i < path.length) return refuse('The request path contains an empty segment ("//").');
    // A trailing "/" too: the router would drop it, so `/metrics/` would reach `/metrics`.
    if (length === 0 && i === path.length && i > 1) return refuse('The request path ends with "/".');
    if ((length === 1 || length === 2) && path.slice(start, i).replaceAll('.', '') === '') return refuse('The request path contains a dot segment ("." or "..").');
    start = i + 1;
  }
  return undefined;
}

// RFC 3986 §3.2.2 host: an IP-literal in brackets, or a reg-name / IPv4 address (no percent-escapes: no
// DNS name needs one). RFC 9110 §7.2 Host = uri-host [ ":" port ].
const HOST = /^(?:\[[0-9a-f:.]+\]|[a-z0-9!$&'()*+,;=._~-]+)(?::([0-9]{0,5}))?$/i;

/** Checks a Host header value (RFC 9112 §3.2: an invalid Host is a 400). */
export function checkHost(host: string | undefined): Refusal | undefined {
  if (host === undefined || host === '') return refuse('The request has no Host header.');
  const m = HOST.exec(host);
  if (!m) return refuse('The Host header is not a valid host name and port.');
  if (m[1] !== undefined && m[1] !== '' && Number(m[1]) > 65535) return refuse('The Host header names a port above 65535.');
  try {
    new URL(`http://${host}/`);
  } catch {
    return refuse('The Host header is not a valid host name and port.');
  }
  return undefined;
}

/**
 * RFC 9112 §3.2: no form of request-target carries a fragment. A "#" would be
 * cut off by the URL parser after these checks, so `/metrics#x` or
 * `/t/a/jwks#/b` would reach a route other than the one written.
 */
export function checkFragment(target: string): Refusal | undefined {
  return target.includes('#') ? refuse('The request target contains a fragment ("#").') : undefined;
}

/** The path of a request-target, without its query. */
export function pathOf(target: string): string {
  const q = target.indexOf('?');
  return q === -1 ? target : target.slice(0, q);
}
