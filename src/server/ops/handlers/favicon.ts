import type { H3Event } from 'h3';

// A 32×32 icon (a PNG inside an ICO container, which every browser reads), so that a browser's
// automatic request for /favicon.ico gets an icon rather than an error.
const ICON = Buffer.from(
  'AAABAAEAICAAAAEAIACZAAAAFgAAAIlQTkcNChoKAAAADUlIRFIAAAAgAAAAIAgGAAAAc3p69AAAAGBJREFUeNpjYMABuOIv/qcmZiAGUNtSkhxDL8uxOoLelmM4YmQ7YKAshztiyDoAHdDNAYTA8HYAsWDUAcPXAaO5YFAURKMOGHXAqAMGjQOGRbtwtFk+eLpmg6JzOlDdcwDp+SZU+S06uwAAAABJRU5ErkJggg==',
  'base64',
);

/** GET /favicon.ico — the server's icon, cacheable for a day. */
export function favicon(_event: H3Event): Response {
  return new Response(ICON, { headers: { 'content-type': 'image/x-icon', 'cache-control': 'public, max-age=86400' } });
}
