const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why a redirect URI is unacceptable, or undefined when it is fine.
 * Rules: absolute, no fragment (RFC 6749 §3.1.2), https — or http only on a
 * loopback host (RFC 8252 §7.3) — or a private-use scheme in reverse-domain
 * form for native apps (RFC 8252 §7.1). Matching is exact, so no wildcards.
 */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.length > 2000) return 'is longer than 2000 characters';
  if (/\s/.test(uri)) return 'must not contain white space';
  if (uri.includes('*')) return 'must not contain wildcards (redirect URIs match exactly)';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URI';
  }
  if (url.hash || uri.includes('#')) return 'must not contain a fragment';
  if (url.protocol === 'https:') return url.hostname ? undefined : 'must name a host';
  if (url.protocol === 'http:') return LOOPBACK_HOSTS.has(url.hostname) ? undefined : 'may use http only on a loopback host (localhost, 127.0.0.1, [::1]); use https';
  const scheme = url.protocol.slice(0, -1);
  if (['javascript', 'data', 'file', 'vbscript', 'blob', 'ftp', 'ws', 'wss'].includes(scheme)) return `must not use the ${scheme}: scheme`;
  if (!scheme.includes('.')) return 'must use https, http on loopback, or a reverse-domain private-use scheme such as com.example.app:/callback';
  return undefined;
}

/** An Origin (RFC 6454) as sent by browsers: scheme://host[:port], nothing more. */
export function originProblem(origin: string): string | undefined {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return 'must be an origin such as https://app.example.com';
  }
  if (url.origin !== origin) return `must be exactly an origin (scheme://host[:port]), e.g. ${url.origin}`;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) return 'must be https (http only on loopback)';
  return undefined;
}
