/** Headers every answer carries unless its handler chose its own (pages set their own CSP). */
export function setDefaultHeaders(h: Headers, requestId: string | undefined): void {
  try {
    if (requestId) h.set('x-request-id', requestId);
    if (!h.has('x-content-type-options')) h.set('x-content-type-options', 'nosniff');
    if (!h.has('referrer-policy')) h.set('referrer-policy', 'no-referrer');
    // Responses that are not pages carry the strictest policy; pages set their own.
    if (!h.has('content-security-policy')) h.set('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    if (!h.has('x-frame-options')) h.set('x-frame-options', 'DENY');
  } catch {
    // Some prepared responses carry immutable headers; they already come from our own handlers.
  }
}
